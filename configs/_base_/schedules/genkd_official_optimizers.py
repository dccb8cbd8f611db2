# GenKD's two optimizers as the official code builds them, constant learning
# rates: `cvae` (Adam) on the CVAE, `network` (SGD) on the modules the method
# base lists (../methods/genkd_phase1.py, ../methods/genkd_phase2.py). Each
# averages its gradients over ranks before stepping (DataParallelOptimWrapper,
# for DistillerDataParallel).
optim_wrapper = dict(
    constructor='DistillerOptimWrapperConstructor',
    cvae=dict(type='DataParallelOptimWrapper',
              modules=['student.neck.head.cvae'],
              optimizer=dict(type='Adam', lr=1e-4, betas=(0.8, 0.999))),
    network=dict(type='DataParallelOptimWrapper',
                 optimizer=dict(type='SGD', lr=1e-3, momentum=0.9,
                                weight_decay=5e-4)))
