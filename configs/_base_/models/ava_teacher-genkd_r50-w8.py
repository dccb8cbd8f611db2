# The AVA teacher: FastRCNN with a narrow SlowOnly-R50 and GenKD's attention +
# CVAE on its RoI features, trained from scratch on the synthetic AVA set.
# One run gives every distillation config its teacher (student_latest.pth in
# the work dir, written by StudentExportHook): the detector learns through
# its task loss on the attention-weighted RoI features, and the CVAE learns
# to reconstruct the (detached) RoI features given the attention, with its
# own optimizer in the same iteration (GenKD's phase 1 without a separate
# run: the teacher is not given here, it is trained). The wiring is
# ../methods/genkd_phase1.py's with the RoI head's shared head in the neck's
# place.
_base_ = ['../methods/genkd_phase1.py']
model = dict(
    student='{{ fileDirname }}/ava_fastrcnn_slowonly-r50-w8_genkd.py',
    student_recorders=dict(
        # per sampled RoI: F [N_roi, 256, 4, 8, 8], A [N_roi, 256, 4]
        feat=dict(module='roi_head.shared_head.feature_tap'),
        att=dict(module='roi_head.shared_head.attention_tap')),
    derived=dict(cvae=dict(module='student.roi_head.shared_head.head')))
# One optimizer per step, the synthetic set's (AdamW as
# ../schedules/demo_adamw_cosine_20e.py; configs on AVA v2.2 give SGD):
optim_wrapper = dict(
    cvae=dict(modules=['student.roi_head.shared_head.head.cvae'],
              optimizer=dict(lr=1e-3)),
    network=dict(
        modules=['student.backbone',
                 'student.roi_head.shared_head.head.attention_branch',
                 'student.roi_head.bbox_head'],
        optimizer=dict(_delete_=True, type='AdamW', lr=2e-3,
                       weight_decay=1e-4),
        clip_grad=dict(max_norm=40, norm_type=2)))
