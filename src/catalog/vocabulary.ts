/**
 * The closed vocabularies of the MooVitamix source (docs/source-api.md): the genres and genders a
 * track or user can have. Ingestion validates against them, the mock source and the synthetic data
 * draw from them; the order is part of the seeded data (a draw is an index into it).
 */
export const GENRES = [
  'Rock',
  'Pop',
  'Hip Hop',
  'Jazz',
  'Electronic',
  'Classical',
  'Country',
  'Blues',
  'R&B',
  'Reggae',
  'Folk',
  'Metal',
  'Punk',
  'Funk',
  'Indie',
  'Alternative',
  'Techno',
] as const;

export const GENDERS = [
  'Male',
  'Female',
  'Non-binary',
  'Genderqueer',
  'Genderfluid',
  'Agender',
  'Bigender',
  'Gender questioning',
  'Gender nonconforming',
] as const;
