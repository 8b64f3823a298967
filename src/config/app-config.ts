import type { Settings } from './settings.js';

/**
 * The validated settings, injectable by class: `constructor(private readonly config: AppConfig)`.
 * The abstract class is the DI token; the interface gives it the settings' fields.
 */
export interface AppConfig extends Settings {}
// eslint-disable-next-line @typescript-eslint/no-extraneous-class
export abstract class AppConfig {}
