# The demo teacher -> student pair inside a VideoDistiller. Methods inherit
# this and add recorders, distill modules, losses and train steps.
# `teacher_ckpt` is written by tools/demo.py (or export your own teacher:
# python tools/export_student.py is for distillers; a plain recognizer's
# checkpoint works as is).
model = dict(
    type='VideoDistiller',
    student='{{ fileDirname }}/demo_student_r3d18_tiny.py',
    teacher='{{ fileDirname }}/demo_teacher_r3d18.py',
    teacher_ckpt='work_dirs/demo/teacher.pth')

# Student checkpoints loadable by plain mmaction2; the teacher's val accuracy
# once before training (logged as teacher/acc/top1).
custom_hooks = [dict(type='StudentExportHook'), dict(type='TeacherValHook')]
