# Detection distiller for the AVA pair: teacher FastRCNN SlowOnly-R50-w8 with
# GenKD's RoI attention (configs/ava/teacher-genkd_*: its student_latest.pth),
# student FastRCNN SlowOnly-R18-w4. Method configs add recorders and losses.
#
# The student's AVARoIHead samples its RoIs at random in training (assigner +
# sampler, ground-truth boxes added), so the teacher runs after the student,
# on the student's RoIs (RoITeacherForward): row i of every per-RoI teacher
# record belongs to the same box as row i of the student's.
model = dict(
    type='VideoDistiller',
    student='{{ fileDirname }}/ava_fastrcnn_slowonly-r18-w4.py',
    teacher='{{ fileDirname }}/ava_fastrcnn_slowonly-r50-w8_genkd.py',
    teacher_ckpt='work_dirs/ava_synthetic/teacher/student_latest.pth',
    teacher_forward=dict(type='RoITeacherForward', rois='student.rois'),
    student_recorders=dict(
        # [N_roi, 5]: batch index, x1, y1, x2, y2 (input pixels)
        rois=dict(module='roi_head.bbox_roi_extractor', source='input',
                  index=1)))
