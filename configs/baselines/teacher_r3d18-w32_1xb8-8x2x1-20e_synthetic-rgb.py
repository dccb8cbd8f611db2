# Demo teacher trained alone on the generated motion set (tools/demo.py).
_base_ = [
    '../_base_/models/demo_teacher_r3d18.py',
    '../_base_/datasets/demo_video.py',
    '../_base_/schedules/demo_adamw_cosine_20e.py', '../_base_/default_runtime.py'
]
