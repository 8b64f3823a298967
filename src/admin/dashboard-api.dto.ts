/**
 * OpenAPI descriptions of the dashboard's JSON (classes for @nestjs/swagger only; the service
 * returns plain objects of these shapes). Times are ISO strings, except chart x values `t`, which
 * are Unix seconds (what the chart library takes).
 */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

const nullableNumber = { type: Number, nullable: true } as const;
const nullableString = { type: String, nullable: true } as const;

export class PointBaseDto {
  @ApiProperty({ description: 'Unix seconds: start of the first run of the point' }) t!: number;
  @ApiProperty({ description: 'Runs merged into this point (1 while the range has at most max_points runs)' }) runs!: number;
  @ApiProperty() first_run!: string;
  @ApiProperty() last_run!: string;
  @ApiProperty({ description: 'Failed runs among them' }) failed!: number;
}

export class IngestionPointDto extends PointBaseDto {
  @ApiProperty({
    description: 'Records fetched per endpoint, mean per run of the point',
    type: 'object',
    additionalProperties: { type: 'number', nullable: true },
  })
  records!: Record<string, number | null>;
  @ApiProperty(nullableNumber) duration_s!: number | null;
  @ApiProperty(nullableNumber) duration_max_s!: number | null;
  @ApiProperty({ ...nullableNumber, description: 'Retried source requests, mean per run' }) retries!: number | null;
  @ApiProperty({ ...nullableNumber, description: 'Records set aside by validation, mean per run' }) rejected!: number | null;
  @ApiProperty({ description: 'Runs flagged anomalous (volume or duration robust z-score)' }) anomalous!: number;
  @ApiProperty({ type: [String] }) anomaly_reasons!: string[];
}

export class EndpointSummaryDto {
  @ApiProperty() endpoint!: string;
  @ApiProperty(nullableString) status!: string | null;
  @ApiProperty(nullableNumber) fetched!: number | null;
  @ApiProperty(nullableNumber) inserted!: number | null;
  @ApiProperty(nullableNumber) updated!: number | null;
  @ApiProperty(nullableNumber) unchanged!: number | null;
  @ApiProperty(nullableNumber) rejected!: number | null;
  @ApiProperty(nullableNumber) retries!: number | null;
  @ApiProperty(nullableNumber) duration_s!: number | null;
}

export class IngestionRunSummaryDto {
  @ApiProperty() id!: string;
  @ApiProperty() status!: string;
  @ApiProperty(nullableString) trigger!: string | null;
  @ApiProperty(nullableString) run_date!: string | null;
  @ApiProperty(nullableString) started_at!: string | null;
  @ApiProperty(nullableString) finished_at!: string | null;
  @ApiProperty(nullableNumber) duration_s!: number | null;
  @ApiProperty(nullableNumber) records_fetched!: number | null;
  @ApiProperty(nullableString) error!: string | null;
  @ApiProperty() anomalous!: boolean;
  @ApiProperty({ type: [String] }) anomaly_reasons!: string[];
  @ApiProperty({ type: [EndpointSummaryDto] }) endpoints!: EndpointSummaryDto[];
}

export class IngestionChartsDto {
  @ApiProperty({ description: 'Days covered (query `days`)' }) range_days!: number;
  @ApiProperty({ description: 'Most points per series; more runs are merged, consecutive runs together' }) max_points!: number;
  @ApiProperty({ description: 'Run records read for the range' }) runs_read!: number;
  @ApiProperty({ type: IngestionRunSummaryDto, nullable: true, description: 'The newest run, whatever its age' })
  last_run!: IngestionRunSummaryDto | null;
  @ApiProperty({ type: [String] }) endpoints!: string[];
  @ApiProperty({ type: [IngestionPointDto], description: 'Oldest first' }) points!: IngestionPointDto[];
}

export class RecommendationPointDto extends PointBaseDto {
  @ApiProperty({ ...nullableNumber, description: 'Share of active users with a playlist under a day old when the run finished' })
  coverage!: number | null;
  @ApiProperty({ ...nullableNumber, description: 'Age (hours) of the oldest servable playlist when the run finished' }) freshness_h!:
    number | null;
  @ApiProperty(nullableNumber) users_computed!: number | null;
  @ApiProperty(nullableNumber) users_skipped!: number | null;
  @ApiProperty(nullableNumber) users_failed!: number | null;
  @ApiProperty(nullableNumber) duration_s!: number | null;
  @ApiProperty({ description: 'Users computed per variant, mean per run', type: 'object', additionalProperties: { type: 'number' } })
  variants!: Record<string, number>;
}

export class RecommendationRunSummaryDto {
  @ApiProperty() id!: string;
  @ApiProperty() status!: string;
  @ApiProperty(nullableString) trigger!: string | null;
  @ApiProperty(nullableString) run_date!: string | null;
  @ApiProperty(nullableString) started_at!: string | null;
  @ApiProperty(nullableString) finished_at!: string | null;
  @ApiProperty(nullableNumber) duration_s!: number | null;
  @ApiProperty(nullableNumber) users_active!: number | null;
  @ApiProperty(nullableNumber) users_computed!: number | null;
  @ApiProperty(nullableNumber) users_skipped!: number | null;
  @ApiProperty(nullableNumber) users_failed!: number | null;
  @ApiProperty(nullableNumber) coverage!: number | null;
  @ApiProperty(nullableNumber) freshness_h!: number | null;
  @ApiProperty(nullableString) model_version!: string | null;
  @ApiProperty(nullableString) canary_version!: string | null;
  @ApiProperty(nullableString) error!: string | null;
}

export class CachePointDto {
  @ApiProperty() t!: number;
  @ApiProperty({ ...nullableNumber, description: 'Reads answered from Redis over the interval, of all reads' }) hit_ratio!: number | null;
  @ApiProperty() reads!: number;
}

export class CacheTotalsDto {
  @ApiProperty() hit!: number;
  @ApiProperty() miss_store!: number;
  @ApiProperty() miss_cold_start!: number;
  @ApiProperty(nullableNumber) hit_ratio!: number | null;
}

export class CacheChartDto {
  @ApiProperty() scope!: string;
  @ApiProperty({ description: 'Unix seconds of the oldest sample kept' }) since!: number;
  @ApiProperty({ type: CacheTotalsDto, description: 'Reads since this process started' }) totals!: CacheTotalsDto;
  @ApiProperty({ type: [CachePointDto] }) points!: CachePointDto[];
}

export class VariantHitRateDto {
  @ApiProperty() variant!: string;
  @ApiProperty({ description: 'Users with a playlist of this variant in the window' }) users!: number;
  @ApiProperty({ description: 'Those who since listened to one of its tracks' }) hits!: number;
  @ApiProperty() rate!: number;
}

export class VariantDayDto {
  @ApiProperty() run_date!: string;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number', nullable: true } }) rates!: Record<string, number | null>;
}

export class HitRatesDto {
  @ApiPropertyOptional() window_days?: number;
  @ApiPropertyOptional({ description: 'Playlists of the window' }) playlists?: number;
  @ApiPropertyOptional({ type: [VariantHitRateDto] }) variants?: VariantHitRateDto[];
  @ApiPropertyOptional({ type: [VariantDayDto] }) by_day?: VariantDayDto[];
  @ApiPropertyOptional({ description: 'Set instead when the playlists or listens could not be read' }) error?: string;
}

export class RecommendationChartsDto {
  @ApiProperty() range_days!: number;
  @ApiProperty() max_points!: number;
  @ApiProperty() runs_read!: number;
  @ApiProperty({ type: RecommendationRunSummaryDto, nullable: true }) last_run!: RecommendationRunSummaryDto | null;
  @ApiProperty({ type: [String] }) variants!: string[];
  @ApiProperty({ type: [RecommendationPointDto] }) points!: RecommendationPointDto[];
  @ApiProperty({ type: CacheChartDto }) cache!: CacheChartDto;
  @ApiProperty({ type: HitRatesDto, description: 'Live hit rate of each A/B variant over the playlists of the last week' })
  hit_rates!: HitRatesDto;
}

export class MetricsDto {
  @ApiProperty({ ...nullableNumber, description: 'NDCG@10' }) ndcg!: number | null;
  @ApiProperty({ ...nullableNumber, description: 'precision@10' }) precision!: number | null;
  @ApiProperty({ ...nullableNumber, description: 'recall@10' }) recall!: number | null;
  @ApiProperty({ ...nullableNumber, description: 'catalogue coverage@10' }) coverage!: number | null;
}

export class TimelineSegmentDto {
  @ApiProperty({ description: 'candidate, rejected, canary, production, retired or "rolled back"' }) status!: string;
  @ApiProperty() from!: string;
  @ApiProperty({ ...nullableString, description: 'Null while it lasts' }) to!: string | null;
}

export class StatusChangeDto {
  @ApiProperty() at!: string;
  @ApiProperty() status!: string;
  @ApiProperty(nullableString) decision!: string | null;
  @ApiProperty(nullableString) reason!: string | null;
  @ApiProperty(nullableString) by!: string | null;
}

export class ModelVersionViewDto {
  @ApiProperty() version!: string;
  @ApiProperty({ description: 'The model family (als for versions recorded before the field existed)' }) family!: string;
  @ApiProperty() status!: string;
  @ApiProperty({ description: 'The status as shown ("rolled back" for a version a rollback or a failed canary took out)' }) label!: string;
  @ApiProperty(nullableString) created_at!: string | null;
  @ApiProperty(nullableString) run_id!: string | null;
  @ApiProperty({ type: MetricsDto }) metrics!: MetricsDto;
  @ApiProperty({ type: MetricsDto, description: 'Popularity on the same held-out split' }) popularity!: MetricsDto;
  @ApiProperty({ type: MetricsDto, nullable: true, description: 'What production served when this version was trained, on the same split' })
  production_at_training!: MetricsDto | null;
  @ApiProperty({ ...nullableString, description: 'model, or hybrid when no model was in production' }) production_kind!: string | null;
  @ApiProperty(nullableString) production_version!: string | null;
  @ApiProperty(nullableNumber) held_out_users!: number | null;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The settings the version was trained with, as recorded' })
  settings!: Record<string, unknown>;
  @ApiProperty({ type: 'object', additionalProperties: true }) sizes!: Record<string, unknown>;
  @ApiProperty(nullableString) decision!: string | null;
  @ApiProperty(nullableString) reason!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true }) canary_outcome!: Record<string, unknown> | null;
  @ApiProperty({ type: [TimelineSegmentDto] }) timeline!: TimelineSegmentDto[];
  @ApiProperty({ type: [StatusChangeDto] }) history!: StatusChangeDto[];
}

export class DriftPointDto extends PointBaseDto {
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number', nullable: true }, description: 'PSI per feature' }) psi!: Record<
    string,
    number | null
  >;
}

export class DriftChartDto {
  @ApiProperty({ type: [String] }) features!: string[];
  @ApiProperty(nullableNumber) threshold!: number | null;
  @ApiProperty({ type: [DriftPointDto] }) points!: DriftPointDto[];
}

export class GateCheckDto {
  @ApiProperty() name!: string;
  @ApiProperty() passed!: boolean;
  @ApiProperty() detail!: string;
}

export class DecisionDto {
  @ApiProperty() at!: string;
  @ApiProperty({ enum: ['training', 'registry'] }) source!: string;
  @ApiProperty() decision!: string;
  @ApiProperty(nullableString) version!: string | null;
  @ApiProperty() reason!: string;
  @ApiProperty(nullableString) run_id!: string | null;
  @ApiProperty({ type: [GateCheckDto] }) checks!: GateCheckDto[];
}

export class ModelsChartsDto {
  @ApiProperty() range_days!: number;
  @ApiProperty(nullableString) production!: string | null;
  @ApiProperty(nullableString) canary!: string | null;
  @ApiProperty({ type: [ModelVersionViewDto], description: 'Oldest first, the newest 100' }) versions!: ModelVersionViewDto[];
  @ApiProperty({ type: DriftChartDto }) drift!: DriftChartDto;
  @ApiProperty({ type: [DecisionDto], description: 'Newest first' }) decisions!: DecisionDto[];
}

export class TrackFactsDto {
  @ApiProperty() track_id!: number;
  @ApiProperty(nullableString) name!: string | null;
  @ApiProperty(nullableString) artist!: string | null;
  @ApiProperty({ type: [String] }) genres!: string[];
}

export class TrackReasonDto extends TrackFactsDto {
  @ApiProperty() rank!: number;
  @ApiProperty() score!: number;
  @ApiProperty({ ...nullableString, description: 'model, hybrid, genre or popularity: the list the track was taken from' }) source!:
    string | null;
  @ApiProperty({ description: "Taken from a fallback list after the recommender's own list ran short" }) fallback!: boolean;
  @ApiProperty({ enum: ['favourite', 'listened'], nullable: true }) genre_match!: string | null;
  @ApiProperty() why!: string;
}

export class UserPlaylistDto {
  @ApiProperty() playlist_id!: string;
  @ApiProperty(nullableString) created_at!: string | null;
  @ApiProperty(nullableString) run_id!: string | null;
  @ApiProperty(nullableString) run_date!: string | null;
  @ApiProperty() recommender!: string;
  @ApiProperty(nullableString) model_version!: string | null;
  @ApiProperty() variant!: string;
  @ApiProperty(nullableString) experiment!: string | null;
  @ApiProperty({ type: [TrackReasonDto] }) tracks!: TrackReasonDto[];
}

export class UserViewDto {
  @ApiProperty() user_id!: number;
  @ApiProperty() known_user!: boolean;
  @ApiProperty({ type: [String] }) favorite_genres!: string[];
  @ApiProperty(nullableString) account_status!: string | null;
  @ApiProperty() listens_total!: number;
  @ApiProperty(nullableString) history_updated_at!: string | null;
  @ApiProperty({ type: [TrackFactsDto], description: 'Newest first' }) recent_listens!: TrackFactsDto[];
  @ApiProperty({ type: UserPlaylistDto, nullable: true, description: 'The newest stored playlist' }) playlist!: UserPlaylistDto | null;
}
