/** The source endpoints, in the order a run reads them: history refers to tracks and users. */
export const ENDPOINTS = ['tracks', 'users', 'listen_history'] as const;
export type Endpoint = (typeof ENDPOINTS)[number];
