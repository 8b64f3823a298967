import { intParam, patternParam } from '../common/request-validation.js';

/** `limit` of GET /users/:userId/recommendations: tracks of the playlist answered. */
export const recommendationsLimitParam = intParam(1, 100, 30);

export const playlistIdParam = patternParam(/^\d{1,15}-[0-9a-z-]{1,40}$/, 'must look like <user_id>-<run_key> (e.g. 1042-20261126)');
