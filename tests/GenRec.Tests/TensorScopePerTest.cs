using System.Reflection;
using TorchSharp;
using Xunit.Sdk;

namespace GenRec.Tests;

/// <summary>
/// Keeps every tensor a synchronous test makes on its thread referenced until the test ends, then hands them back to
/// the GC (detached, not disposed: a fixture may keep some). Without it a temporary such as <c>tensor(...)</c> in
/// <c>tensor(...).view(1, 2)</c> is unreachable while its handle is inside the native call, and the GC's finalizer may free
/// it mid-call: a segfault in libtorch, seen about once in five runs of the suite. Library code runs its tensors inside
/// <c>NewDisposeScope</c> for the same reason.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly | AttributeTargets.Class | AttributeTargets.Method)]
public sealed class TensorScopePerTestAttribute : BeforeAfterTestAttribute
{
    [ThreadStatic]
    private static Stack<DisposeScope>? scopes;

    public override void Before(MethodInfo methodUnderTest)
    {
        if (!IsAsync(methodUnderTest))
        {
            (scopes ??= new Stack<DisposeScope>()).Push(torch.NewDisposeScope());
        }
    }

    public override void After(MethodInfo methodUnderTest)
    {
        // Only on the thread that opened it (a synchronous test starts and ends on one thread).
        if (!IsAsync(methodUnderTest) && scopes is { Count: > 0 })
        {
            var scope = scopes.Pop();
            scope.Detach([.. scope.DisposablesView]);                                     // back to the GC, not disposed
            scope.Dispose();
        }
    }

    private static bool IsAsync(MethodInfo method) => typeof(Task).IsAssignableFrom(method.ReturnType) || method.ReturnType.Name.StartsWith("ValueTask", StringComparison.Ordinal);
}
