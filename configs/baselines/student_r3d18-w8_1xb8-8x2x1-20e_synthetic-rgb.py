# Demo student trained alone (the "no KD" row): same data, schedule and seed
# as every distilled student.
_base_ = [
    '../_base_/models/demo_student_r3d18_tiny.py',
    '../_base_/datasets/demo_video.py',
    '../_base_/schedules/demo_adamw_cosine_20e.py', '../_base_/default_runtime.py'
]
