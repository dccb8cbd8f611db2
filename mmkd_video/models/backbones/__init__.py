from .inception_i3d import InceptionI3D, TopI3D

__all__ = ['InceptionI3D', 'TopI3D']
