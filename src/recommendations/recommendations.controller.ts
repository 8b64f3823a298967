import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { parseIntParam, parsePlaylistId, parseUserId } from './request-params.js';
import { RecommendationServing } from './recommendation-serving.service.js';

/** Reading recommendations: the hot path (a Redis read), a user's playlists, one playlist. */
@ApiTags('recommendations')
@Controller()
export class RecommendationsController {
  constructor(private readonly serving: RecommendationServing) {}

  @Get('users/:userId/recommendations')
  @ApiOperation({ summary: "The user's daily playlist: tracks with name, artist, genres and score; header X-Recommendation-Source says cache, store or cold_start" })
  @ApiParam({ name: 'userId', description: 'MooVitamix user id' })
  @ApiQuery({ name: 'limit', required: false, description: 'tracks, 1..100 (30)' })
  async recommendations(@Param('userId') userId: string, @Query('limit') limit: string | undefined, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const served = await this.serving.recommendations(parseUserId(userId), parseIntParam('limit', limit, 1, 100, 30));
    reply.header('content-type', 'application/json; charset=utf-8');
    reply.header('x-recommendation-source', served.source);
    return served.json;
  }

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
