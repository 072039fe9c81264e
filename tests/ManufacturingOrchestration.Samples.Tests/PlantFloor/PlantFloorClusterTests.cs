using ManufacturingOrchestration.Samples.PlantFloor;
using ManufacturingOrchestration.Storage.PostgreSql.Tests;

namespace ManufacturingOrchestration.Samples.Tests.PlantFloor;

/// <summary>
/// The plant floor on a real PostgreSQL server (the private cluster of <see cref="PostgreSqlCluster"/>), on three
/// clustered nodes of which the last loses its power mid-shift. Short leases (3 s) and a small shift keep it short; every
/// wait inside the sample is bounded, and nothing here depends on how fast the machine is.
/// </summary>
public sealed class PlantFloorClusterTests(PostgreSqlCluster cluster) : IClassFixture<PostgreSqlCluster>
{
    private const int Buckets = 24;

    [Fact]
    public async Task RunAsync_ThreeNodesOneKilledMidShift_TheOthersTakeItsBucketsOverAndEveryCheckPasses()
    {
        cluster.SkipWhenUnavailable();
        var directory = Path.Combine(Path.GetTempPath(), "mo-samples-tests", Guid.NewGuid().ToString("N"));
        using var output = new StringWriter();
        try
        {
            var postgres = new PlantFloorPostgres
            {
                ConnectionString = cluster.ConnectionString,
                Nodes = 3,
                KillNodeAfterEvents = 50,
                LeaseDuration = TimeSpan.FromSeconds(3),
                BucketCount = Buckets,
            };

            var report = await PlantFloorSimulation.RunAsync(new SampleOptions { Events = 100, Seed = 5, OutputDirectory = directory }, postgres, output, TestContext.Current.CancellationToken);

            var text = output.ToString();
            var summary = report.Summary;
            summary.FailedChecks.Should().BeEmpty(text);
            summary.AuditValid.Should().BeTrue(text);
            summary.OpenDeadLetters.Should().Be(0, text);
            summary.EffectKeysUnique.Should().BeTrue("no command takes effect twice in the plant's shared systems, the killed node's included: " + text);
            summary.Passed.Should().BeTrue(text);
            summary.NotAccepted.Should().BeEmpty("a publication the killed node could not answer went to another node");
            summary.EventsAccepted.Should().Be(summary.EventsPublished);
            // Not a count: a scripted permanent fault answered to the killed node dies with it, and the resend under the
            // same key by the node that takes the bucket over succeeds (the fault is scripted once).
            report.DeadLetters.Should().OnlyContain(d => d.Resolved, "the operator's actions reach the node that owns the partition");

            report.Nodes.Select(n => n.NodeId).Should().Equal("node-1", "node-2", "node-3");
            report.Nodes.Should().OnlyContain(n => n.EventsAccepted > 0, "events go to the nodes in turn");
            var kill = report.Kill!;
            kill.NodeId.Should().Be("node-3");
            kill.AfterEvents.Should().Be(50);
            kill.Buckets.Should().NotBeEmpty("every node held buckets before the shift started");
            kill.TakeoverTime.Should().NotBeNull("the other nodes took the killed node's buckets over once its leases ran out");
            report.Nodes.Single(n => n.Killed).NodeId.Should().Be("node-3");

            var survivors = report.Nodes.Where(n => !n.Killed).ToArray();
            survivors.Should().HaveCount(2);
            survivors.SelectMany(n => n.BucketsTakenOver).Distinct().Should().BeEquivalentTo(kill.Buckets, "each of its buckets went to one of the others");
            kill.EventsProcessedBySurvivorsAfterKill.Should().BePositive("the shift went on on the other nodes: half the plant events came after the kill");
            survivors.Sum(n => n.EventsProcessedAfterKill).Should().Be(kill.EventsProcessedBySurvivorsAfterKill);

            text.Should().Contain("power cut: node-3").And.Contain("all taken over").And.Contain("node-3 (killed)")
                .And.NotContain(PostgreSqlCluster.Password, "the connection string's password is never printed");
            report.Schema.Should().StartWith("plant_floor_");
            report.SchemaKept.Should().BeFalse();
            (await cluster.ScalarAsync("SELECT count(*) FROM pg_namespace WHERE nspname = $1", report.Schema!)).Should().Be(0L, "the run's schema is dropped at the end");
        }
        finally
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }
}
