import { BadRequestException } from '@nestjs/common';

/** A 400 that names the parameter and says why. */
export function badParameter(parameter: string, message: string): BadRequestException {
  return new BadRequestException({ statusCode: 400, error: 'Bad Request', parameter, message: `${parameter} ${message}` });
}

function shown(v: string): string {
  return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v);
}

export function parseUserId(raw: string): number {
  const n = /^\d{1,15}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n)) throw badParameter('userId', `must be a non-negative integer (a MooVitamix user id), got ${shown(raw)}`);
  return n;
}

/** An optional integer query parameter in [min, max]. */
export function parseIntParam(name: string, raw: string | undefined, min: number, max: number, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = /^-?\d{1,9}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) throw badParameter(name, `must be an integer from ${min} to ${max}, got ${shown(raw)}`);
  return n;
}

export function parsePlaylistId(raw: string): string {
  if (!/^\d{1,15}-[0-9a-z-]{1,40}$/.test(raw)) throw badParameter('playlistId', `must look like <user_id>-<run_key> (e.g. 1042-20261126), got ${shown(raw)}`);
  return raw;
}
