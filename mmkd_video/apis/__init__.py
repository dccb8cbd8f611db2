"""What the tools share, on the top floor of the package.

``utils`` (ground) <- ``teacher_cache`` <- ``datasets``, ``models``,
``engine`` <- ``apis`` <- ``tools/``. Tools import from here instead of from
each other, so no tool edits ``sys.path``. Not imported by
``import mmkd_video``: import ``mmkd_video.apis`` where needed.
"""
from .export import export_student
from .random_teacher import use_random_teacher
from .tool_args import (add_common_args, merge_cfg_options, set_work_dir,
                        setup_tool_process, teardown_process_group)

__all__ = [
    'export_student', 'use_random_teacher', 'add_common_args',
    'merge_cfg_options', 'set_work_dir', 'setup_tool_process',
    'teardown_process_group'
]
