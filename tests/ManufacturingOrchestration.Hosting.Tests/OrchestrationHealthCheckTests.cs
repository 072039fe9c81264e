using System.Reflection;
using System.Runtime.ExceptionServices;
using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Adapters.Health;
using ManufacturingOrchestration.Adapters.Http.Tests.Support;
using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace ManufacturingOrchestration.Hosting.Tests;

public sealed class OrchestrationHealthCheckTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task CheckHealthAsync_RunningAndQuiet_Healthy()
    {
        using var plant = HostingTestPlant.Create(TimeProvider.System);
        using var host = OrchestrationHostedServiceTests.CreateHost(plant);
        await host.StartAsync(Ct);

        var result = await Check(host);
        await host.StopAsync(Ct);

        result.Status.Should().Be(HealthStatus.Healthy);
        result.Data["openDeadLetters"].Should().Be(0);
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task AddHealthChecks_AddManufacturingOrchestration_TheHostsHealthReportCarriesTheCheck()
    {
        using var plant = HostingTestPlant.Create(TimeProvider.System);
        using var host = OrchestrationHostedServiceTests.CreateHost(plant, s => s.AddHealthChecks().AddManufacturingOrchestration(tags: ["ready"]));
        await host.StartAsync(Ct);

        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(Ct);
        await host.StopAsync(Ct);

        var entry = report.Entries.Should().ContainKey("manufacturing-orchestration").WhoseValue;
        entry.Status.Should().Be(HealthStatus.Healthy);
        entry.Tags.Should().Equal("ready");
        entry.Data.Should().ContainKey("openDeadLetters");
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task CheckHealthAsync_NotStarted_UsesTheRegistrationsFailureStatus()
    {
        using var plant = HostingTestPlant.Create(TimeProvider.System);
        using var host = OrchestrationHostedServiceTests.CreateHost(plant);

        var result = await Check(host, HealthStatus.Degraded);

        result.Status.Should().Be(HealthStatus.Degraded);
        result.Description.Should().Contain("not running");
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task CheckHealthAsync_DeadLetterParksAKey_DegradedWithTheNumbers()
    {
        using var plant = HostingTestPlant.Create(TimeProvider.System, "LOT-X1");
        plant.Faults.Configure("erp.*", new FaultProfile { PermanentFailureRate = 1 });
        using var host = OrchestrationHostedServiceTests.CreateHost(plant);
        await host.StartAsync(Ct);
        var orchestrator = host.Services.GetRequiredService<Orchestrator>();
        await orchestrator.PublishAsync(HostingTestPlant.Failed("LOT-X1", "evt-x1"), Ct);
        await orchestrator.WaitForIdleAsync(Ct);

        var result = await Check(host);
        await host.StopAsync(Ct);

        result.Status.Should().Be(HealthStatus.Degraded);
        result.Data["parkedKeys"].Should().Be(1);
        ((int)result.Data["openDeadLetters"]).Should().BeGreaterThanOrEqualTo(1);
        result.Description.Should().Contain("open dead letters");
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task CheckHealthAsync_OpenCircuitReported_Degraded()
    {
        using var plant = HostingTestPlant.Create(TimeProvider.System);
        using var host = OrchestrationHostedServiceTests.CreateHost(plant, s => s.AddSingleton<ICircuitStateReporter>(new FixedCircuits("erp-eu")));
        await host.StartAsync(Ct);

        var result = await Check(host);
        await host.StopAsync(Ct);

        result.Status.Should().Be(HealthStatus.Degraded);
        result.Data["openCircuits"].Should().BeEquivalentTo(new[] { "erp-eu" });
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task CheckHealthAsync_HttpConnectorCircuitOpen_DegradedUntilTheBreakElapsesAndACallSucceeds()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 6, 0, 0, TimeSpan.Zero));
        var erpUp = 0;
        await using var erpServer = LoopbackServer.Start((_, _) => Volatile.Read(ref erpUp) == 1 ? ScriptedResponse.Of(200) : ScriptedResponse.Of(503));
        using var plant = HostingTestPlant.Create(TimeProvider.System);
        using var host = OrchestrationHostedServiceTests.CreateHost(plant, s => s
            .AddSingleton<TimeProvider>(time)
            .AddHttpErpConnector("erp-eu", o =>
            {
                o.BaseAddress = erpServer.BaseAddress;
                o.Resilience.Retry.MaxRetryAttempts = 0;
                o.Resilience.CircuitBreaker.MinimumThroughput = 2;
                o.Resilience.CircuitBreaker.FailureRatio = 0.5;
                o.Resilience.CircuitBreaker.BreakDuration = TimeSpan.FromSeconds(30);
            }));
        await host.StartAsync(Ct);
        var erp = host.Services.GetRequiredKeyedService<ManufacturingOrchestration.Adapters.Http.JsonRestErpConnector>("erp-eu");

        var before = await Check(host);
        (await erp.SetBatchStatusAsync(BatchStatus("k1"), Ct)).Reason.Should().Be(ReasonCodes.AdapterTransient);
        (await erp.SetBatchStatusAsync(BatchStatus("k2"), Ct)).Reason.Should().Be(ReasonCodes.AdapterTransient);
        var whileOpen = await Check(host);
        Volatile.Write(ref erpUp, 1);
        time.Advance(TimeSpan.FromSeconds(31));
        (await erp.SetBatchStatusAsync(BatchStatus("k3"), Ct)).Status.Should().Be(AdapterResultStatus.Succeeded);
        var afterRecovery = await Check(host);
        await host.StopAsync(Ct);

        before.Status.Should().Be(HealthStatus.Healthy);
        whileOpen.Status.Should().Be(HealthStatus.Degraded);
        whileOpen.Description.Should().Contain("open circuits: erp-eu");
        whileOpen.Data["openCircuits"].Should().BeEquivalentTo(new[] { "erp-eu" });
        afterRecovery.Status.Should().Be(HealthStatus.Healthy);
        afterRecovery.Data["openCircuits"].Should().BeEquivalentTo(Array.Empty<string>());
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task CheckHealthAsync_StoreThrows_Unhealthy()
    {
        using var plant = HostingTestPlant.Create(TimeProvider.System);
        var (store, control) = FailingStoreProxy.Create();
        using var host = OrchestrationHostedServiceTests.CreateHost(plant, s => s.AddManufacturingOrchestration(mo => mo.UseStore(store)));
        await host.StartAsync(Ct);

        control.Fail = true;
        var result = await Check(host);
        control.Fail = false;
        await host.StopAsync(Ct);

        result.Status.Should().Be(HealthStatus.Unhealthy);
        result.Description.Should().Contain("unreachable");
        result.Exception.Should().BeOfType<IOException>();
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task CheckHealthAsync_AuditCheckpointsFailing_DegradedUntilOneSucceeds()
    {
        using var plant = HostingTestPlant.Create(TimeProvider.System, "LOT-K1");
        var (store, control) = FailingStoreProxy.Create();
        using var host = OrchestrationHostedServiceTests.CreateHost(plant, s => s.AddManufacturingOrchestration(mo => mo
            .UseStore(store)
            .Configure(o => o.Settings.CheckpointInterval = TimeSpan.FromMilliseconds(20))));
        await host.StartAsync(Ct);
        var orchestrator = host.Services.GetRequiredService<Orchestrator>();
        control.FailCheckpoints = true;
        await orchestrator.PublishAsync(HostingTestPlant.Failed("LOT-K1", "evt-k1"), Ct);

        var failing = await CheckUntilAsync(host, r => r.Status == HealthStatus.Degraded);
        control.FailCheckpoints = false;
        var recovered = await CheckUntilAsync(host, r => r.Status == HealthStatus.Healthy);
        await host.StopAsync(Ct);

        failing.Description.Should().Contain("audit checkpoint");
        ((int)failing.Data["auditCheckpointFailures"]).Should().BePositive();
        recovered.Data["auditCheckpointFailures"].Should().Be(0);
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task CheckHealthAsync_BacklogAboveThreshold_Degraded()
    {
        using var plant = HostingTestPlant.Create(TimeProvider.System, "LOT-B1", "LOT-B2");
        plant.Faults.Configure("erp.*", new FaultProfile { Latency = TimeSpan.FromSeconds(30) });
        using var host = OrchestrationHostedServiceTests.CreateHost(plant, s => s.AddManufacturingOrchestrationHosting(o =>
        {
            o.BacklogDegradedThreshold = 1;
            o.DrainTimeout = TimeSpan.Zero;
        }));
        await host.StartAsync(Ct);
        var orchestrator = host.Services.GetRequiredService<Orchestrator>();
        await orchestrator.PublishAsync(HostingTestPlant.Failed("LOT-B1", "evt-b1"), Ct);
        await orchestrator.PublishAsync(HostingTestPlant.Failed("LOT-B2", "evt-b2"), Ct);

        var result = await Check(host);
        await host.StopAsync(Ct);

        result.Status.Should().Be(HealthStatus.Degraded);
        result.Description.Should().Contain("backlog");
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task CheckHealthAsync_StoreProbeTimeoutLongerThanATimerCanWait_ReportsRatherThanThrows()
    {
        using var plant = HostingTestPlant.Create(TimeProvider.System);
        using var host = OrchestrationHostedServiceTests.CreateHost(plant, s => s.AddManufacturingOrchestrationHosting(o => o.StoreProbeTimeout = TimeSpan.FromDays(100)));
        await host.StartAsync(Ct);

        var result = await Check(host);
        await host.StopAsync(Ct);

        result.Status.Should().Be(HealthStatus.Healthy);
    }

    private static Task<HealthCheckResult> Check(IHost host, HealthStatus failureStatus = HealthStatus.Unhealthy)
    {
        var check = host.Services.GetRequiredService<OrchestrationHealthCheck>();
        var context = new HealthCheckContext { Registration = new HealthCheckRegistration("manufacturing-orchestration", check, failureStatus, null) };
        return check.CheckHealthAsync(context, Ct);
    }

    /// <summary>Checks until the result satisfies <paramref name="done"/>, for a minute at most.</summary>
    private static async Task<HealthCheckResult> CheckUntilAsync(IHost host, Func<HealthCheckResult, bool> done)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        limit.CancelAfter(TimeSpan.FromSeconds(60));
        while (true)
        {
            var result = await Check(host);
            if (done(result))
            {
                return result;
            }

            await Task.Delay(20, limit.Token);
        }
    }

    private static SetBatchStatusRequest BatchStatus(string key) => new()
    {
        Context = new CommandContext { IdempotencyKey = key, CorrelationId = "corr-" + key, Site = HostingTestPlant.Site },
        Lot = new LotId("LOT-C1"),
        IsRestrictedBatch = true,
    };

    private sealed class FixedCircuits(params string[] open) : ICircuitStateReporter
    {
        public IReadOnlyCollection<string> GetOpenCircuits() => open;
    }

    /// <summary>An in-memory store whose dead-letter reads fail on demand (a proxy, so it follows the interface as it grows).</summary>
    public class FailingStoreProxy : DispatchProxy
    {
        public IOrchestrationStore Inner { get; set; } = new InMemoryOrchestrationStore();

        public bool Fail { get; set; }

        /// <summary>Whether appending an audit checkpoint fails.</summary>
        public bool FailCheckpoints { get; set; }

        public static (IOrchestrationStore Store, FailingStoreProxy Control) Create()
        {
            var store = DispatchProxy.Create<IOrchestrationStore, FailingStoreProxy>();
            return (store, (FailingStoreProxy)(object)store);
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            ArgumentNullException.ThrowIfNull(targetMethod);
            if (Fail && targetMethod.Name == nameof(IOrchestrationStore.ReadDeadLettersAsync))
            {
                return ValueTask.FromException<IReadOnlyList<DeadLetter>>(new IOException("disk gone"));
            }

            if (FailCheckpoints && targetMethod.Name == nameof(IOrchestrationStore.AppendCheckpointAsync))
            {
                return ValueTask.FromException(new IOException("disk full"));
            }

            try
            {
                return targetMethod.Invoke(Inner, args);
            }
            catch (TargetInvocationException ex) when (ex.InnerException is not null)
            {
                ExceptionDispatchInfo.Throw(ex.InnerException);
                throw;
            }
        }
    }
}
