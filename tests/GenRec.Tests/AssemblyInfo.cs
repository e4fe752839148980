// libtorch's default generator is process-wide: training tests reseed it and draw dropout masks and
// negatives from it, so a test running beside them would change their draws. Run tests one at a time.
[assembly: Xunit.CollectionBehavior(DisableTestParallelization = true)]

// Every synchronous test's tensors stay referenced until it ends (GenRec.Tests.TensorScopePerTestAttribute).
[assembly: GenRec.Tests.TensorScopePerTest]
