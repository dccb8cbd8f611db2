# Runtime shared by every mmkd_video config. `default_scope='mmkd_video'`
# builds our modules and, through the parent registries, every mmaction2 one.
default_scope = 'mmkd_video'

default_hooks = dict(
    runtime_info=dict(type='RuntimeInfoHook'),
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=20, ignore_last=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    # written atomically (temporary file, then rename): a killed or failed
    # save leaves the previous checkpoint, which --resume continues from
    checkpoint=dict(type='CheckpointHook', interval=1, save_best='auto',
                    max_keep_ckpts=2,
                    backend_args=dict(backend='atomic_local')),
    # no checkpoint of a model holding NaN/inf; checkpoints hold tensors and
    # plain values only (stock torch.load(weights_only=True) reads them)
    finite_checkpoint=dict(type='FiniteCheckpointHook'),
    plain_checkpoint=dict(type='PlainCheckpointHook'),
    # work_dir/curves.png: training losses and validation metrics
    curves=dict(type='CurvePlotHook'),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    sync_buffers=dict(type='SyncBuffersHook'),
    # every rank's random streams in the checkpoints: exact resume
    random_state=dict(type='RandomStateHook'))

env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    # nccl on GPU clusters; tools/*.sh switch to gloo when CUDA is absent
    dist_cfg=dict(backend='nccl'))

# Data parallel wrapper for tools/dist_train.sh and tools/slurm_train.sh
# (registered in MMEngine's root registry, where Runner.wrap_model looks):
# rank 0's weights at start, losses logged as the average over ranks. It
# needs every optim wrapper to be type='DataParallelOptimWrapper' (or its
# AMP twin), which averages that optimizer's gradients over ranks before it
# steps, so the distillers' extra optimizers (CVAE, discriminator) stay in
# sync; our schedule and method bases set it. Works on CPU (gloo) as on GPU.
# Plain recognizers on GPU may prefer mmengine's
# dict(type='MMDistributedDataParallel') (torch DDP, overlaps communication)
# with type='OptimWrapper'.
model_wrapper_cfg = dict(type='DistillerDataParallel')

log_processor = dict(type='LogProcessor', window_size=20, by_epoch=True)
vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(type='ActionVisualizer', vis_backends=vis_backends)
log_level = 'INFO'
load_from = None
resume = False
randomness = dict(seed=0, diff_rank_seed=False, deterministic=False)
