// The public library re-exports its layers so `import LiteDetect` is all a user needs.
@_exported import LiteDetectBackbones
@_exported import LiteDetectImage
@_exported import LiteDetectKernels
@_exported import LiteDetectNN
@_exported import LiteDetectPostprocess
@_exported import LiteDetectModels
