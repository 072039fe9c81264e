using ManufacturingOrchestration.Engine.Approvals;
using ManufacturingOrchestration.Engine.Commands;
using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace ManufacturingOrchestration.Engine.Tests.Execution;

public sealed class OrchestratorSettingsTests
{
    [Fact]
    public void Validate_Defaults_Passes()
    {
        var settings = new OrchestratorSettings();

        settings.Invoking(s => s.Validate()).Should().NotThrow();
    }

    [Fact]
    public void Validate_SeveralRangesWrong_NamesEachSettingAndItsRange()
    {
        var settings = new OrchestratorSettings
        {
            Parallelism = 0,
            QueueCapacity = -1,
            CheckpointInterval = TimeSpan.Zero,
            NodeId = " ",
            Retry = new RetryPolicy { MaxAttempts = 0, Jitter = 1.5, MaxRetryAfter = TimeSpan.FromSeconds(-1) },
        };
        settings.Approvals.DefaultDeadline = TimeSpan.Zero;
        settings.AuditSinkDelivery.BatchSize = 10_001;

        settings.Problems().Should().Equal(
            "Parallelism: The field OrchestratorSettings.Parallelism must be between 1 and 2147483647.",
            "QueueCapacity: The field OrchestratorSettings.QueueCapacity must be between 1 and 2147483647.",
            "CheckpointInterval: The field OrchestratorSettings.CheckpointInterval must be between 00:00:00 exclusive and 10675199.02:48:05.4775807.",
            "NodeId: The OrchestratorSettings.NodeId field is required.",
            "Jitter: The field OrchestratorSettings.Retry.Jitter must be between 0 and 1.",
            "MaxAttempts: The field OrchestratorSettings.Retry.MaxAttempts must be between 1 and 2147483647.",
            "MaxRetryAfter: The field OrchestratorSettings.Retry.MaxRetryAfter must be between 00:00:00 and 10675199.02:48:05.4775807.",
            "DefaultDeadline: The field OrchestratorSettings.Approvals.DefaultDeadline must be between 00:00:00 exclusive and 10675199.02:48:05.4775807.",
            "BatchSize: The field OrchestratorSettings.AuditSinkDelivery.BatchSize must be between 1 and 10000.");
    }

    [Fact]
    public void Validate_EscalationBeforeThePreviousLevel_NamesTheItem()
    {
        var settings = new OrchestratorSettings();
        settings.Approvals.Escalations.Add(new EscalationLevel { Role = Role.Supervisor, After = TimeSpan.FromMinutes(-1) });

        settings.Invoking(s => s.Validate()).Should().Throw<ArgumentException>()
            .WithMessage("*The field OrchestratorSettings.Approvals.Escalations[2].After must be between 00:00:00 and 10675199.02:48:05.4775807.*");
    }

    [Fact]
    public void Validate_RulesAcrossTwoSettings_AreCheckedByHand()
    {
        var settings = new OrchestratorSettings
        {
            Parallelism = 4,
            QueueCapacity = int.MaxValue / 2,
            Retry = new RetryPolicy { InitialDelay = TimeSpan.FromMinutes(2), MaxDelay = TimeSpan.FromMinutes(1) },
        };
        settings.AuditSinkDelivery.RetryDelay = TimeSpan.FromSeconds(30);
        settings.AuditSinkDelivery.MaxRetryDelay = TimeSpan.FromSeconds(10);

        settings.Problems().Should().Equal(
            "QueueCapacity × Parallelism (1073741823 × 4) must not exceed 2147483647: it bounds the accepted events waiting in memory.",
            "Retry.MaxDelay (00:01:00) must not be shorter than Retry.InitialDelay (00:02:00).",
            "AuditSinkDelivery.MaxRetryDelay (00:00:10) must not be shorter than AuditSinkDelivery.RetryDelay (00:00:30).");
    }

    [Fact]
    public void Orchestrator_SettingOutOfRangeWithoutAContainer_IsRefusedAtConstruction()
    {
        var options = new OrchestratorOptions { Settings = { KeyCacheCapacity = 0 } };
        options.Workflows.Add(TestWorkflows.Notify());

        var create = () => new Orchestrator(options);

        create.Should().Throw<ArgumentException>()
            .WithMessage("The orchestrator settings are not valid: KeyCacheCapacity: The field OrchestratorSettings.KeyCacheCapacity must be between 1 and 2147483647.");
    }

    [Fact]
    public async Task Configure_ChangingTheSettings_LeavesTheRegisteredSettingsAsTheyWere()
    {
        using var plant = new PlantSimulator(new PlantSimulatorOptions { TimeProvider = new FakeTimeProvider() });
        var services = new ServiceCollection();
        services.AddManufacturingOrchestration(mo => mo
            .UseInMemoryStore()
            .UseAdapters(plant.Adapters)
            .AddWorkflow(TestWorkflows.Notify())
            .Configure(o =>
            {
                o.Settings.Parallelism = 3;
                o.Settings.Approvals.TwoPersonGates.Add("UseLotAsIs");
                o.Settings.Approvals.Escalations.Add(new EscalationLevel { Role = Role.Planner, After = TimeSpan.FromHours(1) });
            }));
        services.Configure<OrchestratorSettings>(s => s.Parallelism = 5);
        await using var provider = services.BuildServiceProvider();

        // Composed twice, as a host does (at start validation, then for the orchestrator): the escalation is added once.
        var validated = provider.GetRequiredService<IOptionsMonitor<OrchestratorOptions>>().CurrentValue;
        var options = provider.GetRequiredService<IOptions<OrchestratorOptions>>().Value;
        var registered = provider.GetRequiredService<IOptions<OrchestratorSettings>>().Value;

        validated.Should().NotBeSameAs(options);
        options.Settings.Parallelism.Should().Be(3);
        options.Settings.Approvals.TwoPersonGates.Should().Equal("UseLotAsIs");
        options.Settings.Approvals.Escalations.Select(e => e.Role).Should().Equal(Role.QualityManager, Role.Supervisor, Role.Planner);
        registered.Parallelism.Should().Be(5);
        registered.Approvals.TwoPersonGates.Should().BeEmpty();
        registered.Approvals.Escalations.Should().HaveCount(2);
    }

    [Fact]
    public async Task AddManufacturingOrchestration_RegisteredSettingOutOfRange_RefusedNamingTheSetting()
    {
        using var plant = new PlantSimulator(new PlantSimulatorOptions { TimeProvider = new FakeTimeProvider() });
        var services = new ServiceCollection();
        services.AddManufacturingOrchestration(mo => mo.UseInMemoryStore().UseAdapters(plant.Adapters).AddWorkflow(TestWorkflows.Notify()));
        services.Configure<OrchestratorSettings>(s => s.MaxBatchSize = 0);
        await using var provider = services.BuildServiceProvider();

        var refused = provider.Invoking(p => p.GetRequiredService<Orchestrator>()).Should().Throw<OptionsValidationException>().Which;

        refused.OptionsType.Should().Be<OrchestratorSettings>();
        refused.Failures.Should().Equal("MaxBatchSize: The field OrchestratorSettings.MaxBatchSize must be between 1 and 2147483647.");
    }
}
