using System.Reflection;
using ManufacturingOrchestration.Engine.Execution;

namespace ManufacturingOrchestration.Engine.Tests.Execution;

/// <summary>Every public method of the runtime that takes a cancellation token lets the caller leave it out.</summary>
public sealed class DefaultCancellationTokenTests
{
    // Leaving the token out is what this test is about.
#pragma warning disable xUnit1051
    [Fact]
    public async Task PublishAsync_WithoutAToken_IsAcceptedAndProcessed()
    {
        await using var host = await new EngineTestHost().StartAsync();
        host.AddLotInInspection("L-1", 10);

        var result = await host.Orchestrator.PublishAsync(EngineTestHost.Passed("L-1", "e-1"));
        await host.Orchestrator.WaitForIdleAsync().WaitAsync(TimeSpan.FromSeconds(60), EngineTestHost.Ct);

        result.Status.Should().Be(PublishStatus.Accepted);
        (await host.Store.LoadPartitionAsync("L-1"))!.Version.Should().BeGreaterThan(0);
    }
#pragma warning restore xUnit1051

    [Fact]
    public void PublicApi_EveryCancellationTokenParameter_IsOptional()
    {
        var missing = typeof(Orchestrator).Assembly.GetExportedTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Where(m => !m.IsSpecialName)
            .SelectMany(m => m.GetParameters().Where(p => p.ParameterType == typeof(CancellationToken) && !p.HasDefaultValue).Select(p => $"{m.DeclaringType!.Name}.{m.Name}({p.Name})"))
            .ToList();

        missing.Should().BeEmpty();
    }
}
