import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { CatalogRepository } from './catalog.repository.js';
import { ListenEventSchema, ListenHistorySchema, MODEL_NAMES, TrackSchema, UserSchema } from './catalog.schemas.js';

/** Mongoose models of the source mirror (shared by ingestion, recommendations and training) and its bulk writes. */
@Module({
  imports: [
    MongooseModule.forFeature([
      { name: MODEL_NAMES.Track, schema: TrackSchema },
      { name: MODEL_NAMES.User, schema: UserSchema },
      { name: MODEL_NAMES.ListenHistory, schema: ListenHistorySchema },
      { name: MODEL_NAMES.ListenEvent, schema: ListenEventSchema },
    ]),
  ],
  providers: [CatalogRepository],
  exports: [MongooseModule, CatalogRepository],
})
export class CatalogModule {}
