import { Module } from '@nestjs/common';
import { PipelineChain } from './pipeline-chain.service.js';

/** The chain of jobs (what enqueues what): imported by every module that starts or follows a stage. */
@Module({ providers: [PipelineChain], exports: [PipelineChain] })
export class PipelineModule {}
