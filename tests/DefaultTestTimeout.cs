// Compiled into every test project (see tests/Directory.Build.props).
using System.Reflection;
using Xunit.Sdk;
using Xunit.v3;

[assembly: TestFramework(typeof(ManufacturingOrchestration.Tests.DefaultTimeoutTestFramework))]

namespace ManufacturingOrchestration.Tests;

/// <summary>How long a test may run before it fails as timed out, unless it sets a <see cref="FactAttribute.Timeout"/> of its own.</summary>
internal static class DefaultTestTimeout
{
    /// <summary>
    /// Three minutes: far above the slowest test of the suite, and a minute after <c>--long-running 120</c> has named
    /// the test as still running. A hung test then fails with its name and the run goes on: the other tests run, and
    /// the project's TRX is written with the hung test among the failures.
    /// </summary>
    public const int Milliseconds = 180_000;
}

/// <summary>
/// xUnit's own test framework, with one difference: a test (or theory) whose attribute sets no timeout gets
/// <see cref="DefaultTestTimeout.Milliseconds"/>, as if it had been written <c>[Fact(Timeout = …)]</c>. The attribute
/// instance is the one discovery reads the timeout from, so the test case carries it like any other timeout
/// (xUnit ignores timeouts while a debugger is attached).
/// </summary>
internal sealed class DefaultTimeoutTestFramework : XunitTestFramework
{
    protected override ITestFrameworkDiscoverer CreateDiscoverer(Assembly assembly)
    {
        var discoverer = (XunitTestFrameworkDiscoverer)base.CreateDiscoverer(assembly);
        return new Discoverer(discoverer.TestAssembly, discoverer.TestCollectionFactory);
    }

    private sealed class Discoverer(IXunitTestAssembly testAssembly, IXunitTestCollectionFactory collectionFactory)
        : XunitTestFrameworkDiscoverer(testAssembly, collectionFactory)
    {
        protected override ValueTask<bool> FindTestsForMethod(IXunitTestMethod testMethod, ITestFrameworkDiscoveryOptions discoveryOptions, Func<ITestCase, ValueTask<bool>> discoveryCallback)
        {
            foreach (var fact in testMethod.FactAttributes.OfType<FactAttribute>())
            {
                if (fact.Timeout == 0)
                {
                    fact.Timeout = DefaultTestTimeout.Milliseconds;
                }
            }

            return base.FindTestsForMethod(testMethod, discoveryOptions, discoveryCallback);
        }
    }
}
