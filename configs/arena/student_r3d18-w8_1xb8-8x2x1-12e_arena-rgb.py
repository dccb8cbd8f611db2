# The arena's student alone (R3D-18 w8, 2D stem and early stages, 0.50 M
# parameters): the control of the KD, StructKD, FitNet and AT arms.
_base_ = [
    '../_base_/models/demo_student_r3d18_tiny.py',
    '../_base_/datasets/arena_video.py',
    '../_base_/schedules/arena_adamw_cosine_12e.py',
    '../_base_/default_runtime.py'
]
