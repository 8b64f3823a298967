import type { Settings } from './settings.js';

/**
 * The validated settings, injectable by class: `constructor(private readonly config: AppConfig)`.
 * The abstract class is the DI token; the interface gives it the settings' fields.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unsafe-declaration-merging -- the merge is the point: the class is the token, the interface its fields
export interface AppConfig extends Settings {}
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- see above
export abstract class AppConfig {}
