import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { parseIntParam, parsePlaylistId, parseUserId } from './request-params.js';
import { RecommendationServing } from './recommendation-serving.service.js';

/** Reading playlists: a user's playlists, one playlist (the hot path is RecommendationsRoute). */
@ApiTags('recommendations')
@Controller()
export class RecommendationsController {
  constructor(private readonly serving: RecommendationServing) {}

  @Get('users/:userId/playlists')
  @ApiOperation({ summary: "The user's generated playlists, newest first" })
  @ApiQuery({ name: 'page', required: false, description: '>= 1 (1)' })
  @ApiQuery({ name: 'size', required: false, description: '1..100 (20)' })
  userPlaylists(@Param('userId') userId: string, @Query('page') page?: string, @Query('size') size?: string) {
    return this.serving.userPlaylists(parseUserId(userId), parseIntParam('page', page, 1, 1_000_000, 1), parseIntParam('size', size, 1, 100, 20));
  }

  @Get('playlists/:playlistId')
  @ApiOperation({ summary: 'One playlist with its tracks' })
  playlist(@Param('playlistId') playlistId: string) {
    return this.serving.playlist(parsePlaylistId(playlistId));
  }
}
