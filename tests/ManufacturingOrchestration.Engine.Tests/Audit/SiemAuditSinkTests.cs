using System.Net;
using System.Net.Http.Json;
using ManufacturingOrchestration.Engine.Tests.Execution;

namespace ManufacturingOrchestration.Engine.Tests.Audit;

/// <summary>The SIEM sink of docs/extending.md runs as documented: every record reaches the collector once, also across a failed POST.</summary>
public sealed class SiemAuditSinkTests
{
    private static CancellationToken Ct => EngineTestHost.Ct;

    [Fact]
    public async Task Orchestrator_CollectorFailsTheFirstPost_CollectorEndsWithEveryRecordOnce()
    {
        var collector = new FakeCollector { FailuresLeft = 1 };
        using var http = new HttpClient(collector);
        await using var host = await TestWorkflows.NotifyHost(o => o.AuditSinks.Add(new SiemAuditSink(http, new Uri("https://siem.example/collector")))).StartAsync();

        await host.PublishAndWaitAsync(TestWorkflows.Signal("k1", "e1"), TestWorkflows.Signal("k2", "e2"), TestWorkflows.Signal("k1", "e3"));
        (await collector.Posted.WaitAsync(EngineTestHost.IdleTimeout, Ct)).Should().BeTrue("the first POST was made");
        host.Time.Advance(TimeSpan.FromSeconds(1));
        using (var limit = CancellationTokenSource.CreateLinkedTokenSource(Ct))
        {
            limit.CancelAfter(EngineTestHost.IdleTimeout);
            await host.Orchestrator.WaitForAuditSinksAsync(limit.Token);
        }

        collector.Stored.Select(e => e.Id).Should().BeEquivalentTo("k1#1", "k2#1", "k1#2");
        collector.Stored.Where(e => e.Key == "k1").Select(e => e.Sequence).Should().Equal(1, 2);
        collector.Stored.Should().OnlyContain(e => e.Action == "processed" && e.Source == "manufacturing-orchestration" && e.Hash.Length == 64);
    }

    /// <summary>A SIEM event collector: answers 503 while failures are left, else stores each event once by id.</summary>
    private sealed class FakeCollector : HttpMessageHandler
    {
        private readonly Lock _gate = new();
        private readonly List<SiemAuditSink.SiemEvent> _stored = [];

        public int FailuresLeft { get; set; }

        public SemaphoreSlim Posted { get; } = new(0);

        public IReadOnlyList<SiemAuditSink.SiemEvent> Stored
        {
            get
            {
                lock (_gate)
                {
                    return [.. _stored];
                }
            }
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var events = await request.Content!.ReadFromJsonAsync<SiemAuditSink.SiemEvent[]>(cancellationToken);
            try
            {
                lock (_gate)
                {
                    if (FailuresLeft > 0)
                    {
                        FailuresLeft--;
                        return new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
                    }

                    foreach (var e in events!)
                    {
                        if (!_stored.Any(s => s.Id == e.Id))
                        {
                            _stored.Add(e);
                        }
                    }

                    return new HttpResponseMessage(HttpStatusCode.OK);
                }
            }
            finally
            {
                Posted.Release();
            }
        }
    }
}
