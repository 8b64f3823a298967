import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { CatalogRepository } from './catalog.repository.js';
import {
  ListenEventSchema,
  ListenHistorySchema,
  MirrorReplacementSchema,
  MODEL_NAMES,
  TrackSchema,
  UserSchema,
} from './catalog.schemas.js';

/**
 * The source mirror's collections (tracks, users, listen_history, listen_events): ingestion writes
 * them, recommendations, training and the dashboard read them, all through CatalogRepository (the
 * Mongoose models stay inside this module).
 */
@Module({
  imports: [
    MongooseModule.forFeature([
      { name: MODEL_NAMES.Track, schema: TrackSchema },
      { name: MODEL_NAMES.User, schema: UserSchema },
      { name: MODEL_NAMES.ListenHistory, schema: ListenHistorySchema },
      { name: MODEL_NAMES.ListenEvent, schema: ListenEventSchema },
      { name: MODEL_NAMES.MirrorReplacement, schema: MirrorReplacementSchema },
    ]),
  ],
  providers: [CatalogRepository],
  exports: [CatalogRepository],
})
export class CatalogModule {}
