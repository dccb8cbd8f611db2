# Ablation row "Feature Representation only": the GenKD student architecture
# (projection + attention neck) trained alone, no teacher, no CVAE.
_base_ = [
    '../_base_/models/demo_student_r3d18_tiny_genkd.py',
    '../_base_/datasets/demo_video.py',
    '../_base_/schedules/demo_adamw_cosine_20e.py', '../_base_/default_runtime.py'
]
