import { Global, Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { AppConfig } from '../config/app-config.js';

/** The one Mongoose connection of the process. */
@Global()
@Module({
  imports: [
    MongooseModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        uri: config.MONGODB_URI,
        serverSelectionTimeoutMS: config.MONGODB_SERVER_SELECTION_TIMEOUT_MS,
        // A stalled network fails the operation instead of hanging it (serving has its own, shorter deadline).
        socketTimeoutMS: config.MONGODB_SOCKET_TIMEOUT_MS,
        // Each model's declared indexes (Schema.index(...) in the *.schemas.ts files) are created when it is compiled at boot; one that exists already is left as it is.
        autoIndex: true,
        maxPoolSize: 20,
      }),
    }),
  ],
  exports: [MongooseModule],
})
export class DatabaseModule {}
