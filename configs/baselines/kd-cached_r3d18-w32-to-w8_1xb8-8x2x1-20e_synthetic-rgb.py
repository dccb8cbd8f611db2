# Logit KD from a teacher cache (offline KD): the teacher's recorded outputs
# are computed once by
#   python tools/build_teacher_cache.py THIS_CONFIG
# and read back by sample index instead of running the teacher. A cache needs
# a deterministic pipeline, so training uses the validation transforms
# (test-mode frame sampling, centre crop, no flip): the student trades the
# augmentation for not paying the teacher forward.
_base_ = ['./kd_r3d18-w32-to-w8_1xb8-8x2x1-20e_synthetic-rgb.py']
teacher_cache = 'work_dirs/teacher_cache/kd_r3d18-w32_synthetic'
model = dict(teacher_cache=teacher_cache)
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='TeacherCacheDataset',
        cache_dir=teacher_cache,
        dataset=dict(
            type={{_base_.dataset_type}},
            data_root={{_base_.data_root}},
            ann_file={{_base_.ann_file_train}},
            data_prefix=dict(video='videos'),
            skip_missing=False,
            pipeline={{_base_.val_pipeline}})))
