import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { intParam, userIdParam } from '../common/request-validation.js';
import { RecommendationServing } from './recommendation-serving.service.js';
import { playlistIdParam } from './request-params.js';

/** Reading playlists: a user's playlists, one playlist (the hot path is RecommendationsRoute). */
@ApiTags('recommendations')
@Controller()
export class RecommendationsController {
  constructor(private readonly serving: RecommendationServing) {}

  @Get('users/:userId/playlists')
  @ApiOperation({ summary: "The user's generated playlists, newest first" })
  userPlaylists(
    @Param('userId', { schema: userIdParam }) userId: number,
    @Query('page', { schema: intParam(1, 1_000_000, 1) }) page: number,
    @Query('size', { schema: intParam(1, 100, 20) }) size: number,
  ) {
    return this.serving.userPlaylists(userId, page, size);
  }

  @Get('playlists/:playlistId')
  @ApiOperation({ summary: 'One playlist with its tracks' })
  playlist(@Param('playlistId', { schema: playlistIdParam }) playlistId: string) {
    return this.serving.playlist(playlistId);
  }
}
