using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Testing;
using ManufacturingOrchestration.Storage.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ManufacturingOrchestration.Hosting.Tests;

/// <summary>The settings of the orchestrator, the SQLite store and the hosting bound from a real appsettings.json file, as docs/operations.md shows.</summary>
public sealed class AppSettingsTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mo-appsettings-" + Guid.NewGuid().ToString("N"));

    public AppSettingsTests() => Directory.CreateDirectory(_folder);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Database => Path.Combine(_folder, "data", "orchestration.db");

    [Fact]
    public async Task AppSettingsJson_HostStarts_TheOrchestratorStoreAndHostingCarryTheBoundSettings()
    {
        using var plant = HostingTestPlant.Create(TimeProvider.System);
        using var host = CreateHost(plant, """
            {
              "ManufacturingOrchestration": {
                "NodeId": "plant-1-node-a",
                "Parallelism": 3,
                "QueueCapacity": 1024,
                "MaxBatchSize": 64,
                "KeyCacheCapacity": 4096,
                "CheckpointInterval": "00:00:30",
                "BootstrapFromErp": false,
                "JitterSeed": 42,
                "Retry": { "InitialDelay": "00:00:05", "MaxDelay": "00:10:00", "Multiplier": 3, "Jitter": 0.1, "MaxAttempts": 6 },
                "Approvals": {
                  "DefaultDeadline": "02:00:00",
                  "WorkflowDeadlines": { "mrb-disposition": "08:00:00" },
                  "TwoPersonGates": [ "UseLotAsIs" ],
                  "ReauthenticationWindow": "00:02:00",
                  "SuperiorRoles": { "planner": [ "supervisor" ] }
                },
                "AuditSinkDelivery": { "BatchSize": 500, "PollInterval": "00:00:10", "RetryDelay": "00:00:02", "MaxRetryDelay": "00:05:00" },
                "Sqlite": { "Path": "%DATABASE%", "Synchronous": "Full", "RetentionWindow": "14.00:00:00" },
                "Hosting": { "DrainTimeout": "00:00:15", "BacklogDegradedThreshold": 5000, "DeadLetterDegradedThreshold": 3, "StoreProbeTimeout": "00:00:02" }
              }
            }
            """);

        await host.StartAsync(Ct);
        var orchestrator = host.Services.GetRequiredService<Orchestrator>();
        var settings = host.Services.GetRequiredService<IOptions<OrchestratorOptions>>().Value.Settings;
        var hosting = host.Services.GetRequiredService<IOptions<OrchestrationHostingOptions>>().Value;
        var running = orchestrator.IsRunning;
        await host.StopAsync(Ct);

        running.Should().BeTrue();
        settings.NodeId.Should().Be("plant-1-node-a");
        settings.Parallelism.Should().Be(3);
        settings.QueueCapacity.Should().Be(1024);
        settings.MaxBatchSize.Should().Be(64);
        settings.KeyCacheCapacity.Should().Be(4096);
        settings.CheckpointInterval.Should().Be(TimeSpan.FromSeconds(30));
        settings.BootstrapFromErp.Should().BeFalse();
        settings.JitterSeed.Should().Be(42);
        settings.Retry.InitialDelay.Should().Be(TimeSpan.FromSeconds(5));
        settings.Retry.MaxDelay.Should().Be(TimeSpan.FromMinutes(10));
        settings.Retry.Multiplier.Should().Be(3);
        settings.Retry.Jitter.Should().Be(0.1);
        settings.Retry.MaxAttempts.Should().Be(6);
        settings.Approvals.DefaultDeadline.Should().Be(TimeSpan.FromHours(2));
        settings.Approvals.DeadlineFor("mrb-disposition", HostingTestPlant.Site).Should().Be(TimeSpan.FromHours(8));
        settings.Approvals.SignaturesFor("UseLotAsIs", HostingTestPlant.Site).Should().Be(2);
        settings.Approvals.Escalations.Should().HaveCount(2, "the default chain stays when the configuration does not name it");
        settings.Approvals.ReauthenticationWindow.Should().Be(TimeSpan.FromMinutes(2));
        settings.Approvals.SuperiorRoles.Should().BeEquivalentTo(new Dictionary<string, IList<string>>
        {
            ["operator"] = ["supervisor"],
            ["warehouse-lead"] = ["supervisor"],
            ["quality-engineer"] = ["quality-manager"],
            ["planner"] = ["supervisor"],
        });
        settings.AuditSinkDelivery.BatchSize.Should().Be(500);
        settings.AuditSinkDelivery.PollInterval.Should().Be(TimeSpan.FromSeconds(10));
        settings.AuditSinkDelivery.RetryDelay.Should().Be(TimeSpan.FromSeconds(2));
        settings.AuditSinkDelivery.MaxRetryDelay.Should().Be(TimeSpan.FromMinutes(5));
        orchestrator.Store.Should().BeOfType<SqliteOrchestrationStore>().Which.Path.Should().Be(Database);
        File.Exists(Database).Should().BeTrue();
        hosting.DrainTimeout.Should().Be(TimeSpan.FromSeconds(15));
        hosting.BacklogDegradedThreshold.Should().Be(5000);
        hosting.DeadLetterDegradedThreshold.Should().Be(3);
        hosting.StoreProbeTimeout.Should().Be(TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task OperationsDoc_AppSettingsExample_HostStartsAndEveryValueNotCalledAnExampleIsTheDefault()
    {
        var json = DocumentedAppSettings().Replace("/var/lib/mo/orchestration.db", "%DATABASE%", StringComparison.Ordinal);
        using var plant = HostingTestPlant.Create(TimeProvider.System);
        using var host = CreateHost(plant, json);

        await host.StartAsync(Ct);
        var settings = host.Services.GetRequiredService<IOptions<OrchestratorOptions>>().Value.Settings;
        var hosting = host.Services.GetRequiredService<IOptions<OrchestrationHostingOptions>>().Value;
        var store = host.Services.GetRequiredService<Orchestrator>().Store;
        await host.StopAsync(Ct);

        settings.NodeId.Should().Be("mo-plant-1");
        settings.Parallelism.Should().Be(4);
        settings.Approvals.WorkflowDeadlines.Should().Equal(new Dictionary<string, TimeSpan> { ["mrb-disposition"] = TimeSpan.FromHours(8) });
        settings.Approvals.TwoPersonGates.Should().Equal("UseLotAsIs");
        store.Should().BeOfType<SqliteOrchestrationStore>().Which.Path.Should().Be(Database);
        settings.Should().BeEquivalentTo(new OrchestratorSettings(), o => o
            .Excluding(s => s.NodeId)
            .Excluding(s => s.Parallelism)
            .Excluding(s => s.Approvals.WorkflowDeadlines)
            .Excluding(s => s.Approvals.TwoPersonGates));
        hosting.Should().BeEquivalentTo(new OrchestrationHostingOptions());
    }

    [Fact]
    public async Task AppSettingsJson_OrchestratorSettingsOutOfRange_StartRefusedNamingEachSettingAndItsRange()
    {
        using var plant = HostingTestPlant.Create(TimeProvider.System);
        using var host = CreateHost(plant, """
            { "ManufacturingOrchestration": { "Parallelism": 0, "QueueCapacity": -1, "Retry": { "MaxAttempts": 0 }, "Sqlite": { "Path": "%DATABASE%" } } }
            """);

        var refused = (await host.Invoking(h => h.StartAsync(Ct)).Should().ThrowAsync<OptionsValidationException>()).Which;

        refused.OptionsType.Should().Be<OrchestratorSettings>();
        refused.Failures.Should().Equal(
            "Parallelism: The field OrchestratorSettings.Parallelism must be between 1 and 2147483647.",
            "QueueCapacity: The field OrchestratorSettings.QueueCapacity must be between 1 and 2147483647.",
            "MaxAttempts: The field OrchestratorSettings.Retry.MaxAttempts must be between 1 and 2147483647.");
        File.Exists(Database).Should().BeFalse("settings are refused before the store is opened");
    }

    [Fact]
    public async Task AppSettingsJson_RetryMaxDelayBelowInitialDelay_StartRefusedByTheRuleAcrossBoth()
    {
        using var plant = HostingTestPlant.Create(TimeProvider.System);
        using var host = CreateHost(plant, """
            { "ManufacturingOrchestration": { "Retry": { "InitialDelay": "00:05:00", "MaxDelay": "00:01:00" }, "Sqlite": { "Path": "%DATABASE%" } } }
            """);

        var refused = (await host.Invoking(h => h.StartAsync(Ct)).Should().ThrowAsync<OptionsValidationException>()).Which;

        refused.Failures.Should().Equal("Retry.MaxDelay (00:01:00) must not be shorter than Retry.InitialDelay (00:05:00).");
    }

    [Fact]
    public async Task AppSettingsJson_SiteKeyedApprovalSettings_StartRefusedRatherThanIgnored()
    {
        using var plant = HostingTestPlant.Create(TimeProvider.System);
        using var host = CreateHost(plant, """
            { "ManufacturingOrchestration": { "Approvals": { "TwoPersonSites": [ "P1" ], "SiteDeadlines": { "P1": "01:00:00" } }, "Sqlite": { "Path": "%DATABASE%" } } }
            """);

        var refused = (await host.Invoking(h => h.StartAsync(Ct)).Should().ThrowAsync<OptionsValidationException>()).Which;

        refused.Failures.Should().Equal(
            "ManufacturingOrchestration:Approvals:SiteDeadlines cannot be read from configuration (its keys or items are typed values): set it in code, with Configure(o => o.Settings.Approvals.SiteDeadlines...).",
            "ManufacturingOrchestration:Approvals:TwoPersonSites cannot be read from configuration (its keys or items are typed values): set it in code, with Configure(o => o.Settings.Approvals.TwoPersonSites...).");
    }

    [Fact]
    public async Task AppSettingsJson_HostingSettingOutOfRange_StartRefusedNamingIt()
    {
        using var plant = HostingTestPlant.Create(TimeProvider.System);
        using var host = CreateHost(plant, """
            { "ManufacturingOrchestration": { "Sqlite": { "Path": "%DATABASE%" }, "Hosting": { "DrainTimeout": "-00:00:01", "DeadLetterDegradedThreshold": 0 } } }
            """);

        var refused = (await host.Invoking(h => h.StartAsync(Ct)).Should().ThrowAsync<OptionsValidationException>()).Which;

        refused.OptionsType.Should().Be<OrchestrationHostingOptions>();
        refused.Failures.Should().Equal(
            "DrainTimeout: The field OrchestrationHostingOptions.DrainTimeout must be between 00:00:00 and 10675199.02:48:05.4775807.",
            "DeadLetterDegradedThreshold: The field OrchestrationHostingOptions.DeadLetterDegradedThreshold must be between 1 and 2147483647.");
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    /// <summary>The first JSON block of the section "Settings from appsettings.json" of docs/operations.md.</summary>
    private static string DocumentedAppSettings()
    {
        var text = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "docs", "operations.md")).ReplaceLineEndings("\n");
        var section = text.IndexOf("### Settings from `appsettings.json`", StringComparison.Ordinal);
        section.Should().BeGreaterThanOrEqualTo(0, "docs/operations.md has the section");
        var start = text.IndexOf("```json\n", section, StringComparison.Ordinal) + "```json\n".Length;
        var end = text.IndexOf("\n```", start, StringComparison.Ordinal);
        return text[start..end];
    }

    /// <summary>A host composed the way docs/operations.md shows, from an appsettings.json written with <paramref name="json"/>.</summary>
    private IHost CreateHost(PlantSimulator plant, string json)
    {
        var file = Path.Combine(_folder, "appsettings.json");
        File.WriteAllText(file, json.Replace("%DATABASE%", Database.Replace("\\", "\\\\", StringComparison.Ordinal), StringComparison.Ordinal));
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddJsonFile(file, optional: false, reloadOnChange: false);

        var section = builder.Configuration.GetSection("ManufacturingOrchestration");
        builder.Services.AddManufacturingOrchestration(mo => mo
            .BindSettings(section)
            .UseSqlite(section.GetSection("Sqlite"))
            .UseAdapters(plant.Adapters)
            .AddSite(new SiteProfile { Id = HostingTestPlant.Site, HoldLocation = new BinId("HOLD-P1") })
            .AddIncomingInspection());
        builder.Services.AddManufacturingOrchestrationHosting(section.GetSection("Hosting"));
        return builder.Build();
    }
}
