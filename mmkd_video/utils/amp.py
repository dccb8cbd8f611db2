"""Switch an optim wrapper config to mixed precision (``--amp``).

A distiller trained with ``DistillerOptimWrapperConstructor`` has one optim
wrapper per optimizer (student network, GenKD's CVAE, StructKD's
discriminator...). Every one of them must become an ``AmpOptimWrapper``
(``DataParallelOptimWrapper``: ``DataParallelAmpOptimWrapper``):
each owns its loss scaler, and each step's forward (the CVAE's, the
critic's) runs under that wrapper's ``optim_context`` autocast.
"""
from typing import Optional

AMP_DTYPES = ('float16', 'bfloat16')
# optim wrapper type -> its mixed-precision twin (scope prefix kept)
AMP_TWINS = {
    'OptimWrapper': 'AmpOptimWrapper',
    'AmpOptimWrapper': 'AmpOptimWrapper',
    'DataParallelOptimWrapper': 'DataParallelAmpOptimWrapper',
    'DataParallelAmpOptimWrapper': 'DataParallelAmpOptimWrapper',
}


def enable_amp(optim_wrapper: dict, dtype: Optional[str] = None) -> int:
    """Turn one optim wrapper config, or each of a dict of them, into AMP.

    Args:
        optim_wrapper (dict): ``cfg.optim_wrapper``: a single wrapper
            (``dict(optimizer=...)``) or a constructor dict whose entries
            are wrappers (``dict(constructor=..., student=dict(...), ...)``).
            Changed in place.
        dtype (str, optional): ``'float16'`` (with dynamic loss scaling) or
            ``'bfloat16'``. ``None`` keeps mmengine's default (float16 on
            CUDA).

    Returns:
        int: The number of optim wrappers switched.

    Examples:
        >>> cfg = dict(constructor='DistillerOptimWrapperConstructor',
        ...            student=dict(optimizer=dict(type='SGD', lr=0.1)),
        ...            cvae=dict(optimizer=dict(type='Adam', lr=1e-3)))
        >>> enable_amp(cfg, 'bfloat16')
        2
        >>> cfg['cvae']['type']
        'AmpOptimWrapper'
    """
    if dtype is not None and dtype not in AMP_DTYPES:
        raise ValueError(f'expected the AMP dtype to be one of {AMP_DTYPES}, '
                         f'but got {dtype!r}')
    if 'optimizer' not in optim_wrapper:
        switched = 0
        for value in optim_wrapper.values():
            if isinstance(value, dict) and 'optimizer' in value:
                switched += enable_amp(value, dtype)
        if not switched:
            raise ValueError(
                'enable_amp found no optim wrapper (a dict with `optimizer`) '
                f'in {sorted(optim_wrapper)}')
        return switched
    wrapper_type = optim_wrapper.get('type', 'OptimWrapper')
    scope, _, name = wrapper_type.rpartition('.') \
        if isinstance(wrapper_type, str) else ('', '', None)
    if name not in AMP_TWINS:
        raise ValueError(f'--amp expected an optim wrapper type in '
                         f'{sorted(AMP_TWINS)}, but got {wrapper_type!r}')
    optim_wrapper['type'] = f'{scope}.{AMP_TWINS[name]}' if scope \
        else AMP_TWINS[name]
    optim_wrapper.setdefault('loss_scale', 'dynamic')
    if dtype is not None:
        optim_wrapper['dtype'] = dtype
    return 1
