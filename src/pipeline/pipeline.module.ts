import { Global, Module } from '@nestjs/common';
import { PipelineChain } from './pipeline-chain.service.js';

@Global()
@Module({ providers: [PipelineChain], exports: [PipelineChain] })
export class PipelineModule {}
