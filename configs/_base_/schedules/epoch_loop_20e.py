# The epoch-based train / val / test loops of the schedules here: 20 epochs,
# validation after each. A schedule with another length sets max_epochs and
# `train_cfg = dict(max_epochs=max_epochs)` (the loop holds the number).
max_epochs = 20
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs,
                 val_begin=1, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
