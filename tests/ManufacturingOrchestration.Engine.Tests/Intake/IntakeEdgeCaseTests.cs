using System.Reflection;
using System.Runtime.ExceptionServices;
using System.Text;
using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Engine.Intake;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Engine.Tests.Execution;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Serialization;

namespace ManufacturingOrchestration.Engine.Tests.Intake;

/// <summary>Edge cases of intake: line endings at the size limit, numbers in CSV cells, and publishers that give up.</summary>
public sealed class IntakeEdgeCaseTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mo-drop-edge-" + Guid.NewGuid().ToString("N"));

    public IntakeEdgeCaseTests() => Directory.CreateDirectory(_folder);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ProcessPendingAsync_CrlfLineExactlyAtTheSizeLimit_IsAcceptedLikeTheSameLineWithLf()
    {
        await using var host = await new EngineTestHost().StartAsync();
        var crlf = Encoding.UTF8.GetBytes(EventIntakeTests.Json(EngineTestHost.Passed("LOT-E1", "evt-e1")));
        var lf = Encoding.UTF8.GetBytes(EventIntakeTests.Json(EngineTestHost.Passed("LOT-E2", "evt-e2")));
        crlf.Length.Should().Be(lf.Length);
        await File.WriteAllBytesAsync(Path.Combine(_folder, "a-crlf.jsonl"), [.. crlf, (byte)'\r', (byte)'\n'], Ct);
        await File.WriteAllBytesAsync(Path.Combine(_folder, "b-lf.jsonl"), [.. lf, (byte)'\n'], Ct);
        var serializer = new EventSerializer(new EventSerializerOptions { MaxEventBytes = crlf.Length });
        var sut = new FileDropSource(new FileDropOptions { Directory = _folder }, serializer);

        var reports = await sut.ProcessPendingAsync(new EventIntake(host.Orchestrator, serializer), Ct).WaitAsync(Limit, Ct);

        reports.Single(r => r.FileName == "b-lf.jsonl").Lines.Should().ContainSingle().Which.Status.Should().Be(PublishStatus.Accepted);
        var line = reports.Single(r => r.FileName == "a-crlf.jsonl").Lines.Should().ContainSingle().Subject;
        line.Errors.Should().BeEmpty("the line break is not part of the event, whether it is LF or CRLF");
        line.Status.Should().Be(PublishStatus.Accepted);
    }

    [Fact]
    public async Task ProcessPendingAsync_CsvQuantityWithADecimalComma_IsRejectedNotReadAsTenTimesAsMuch()
    {
        await using var host = await new EngineTestHost().StartAsync();
        host.AddLotInInspection("LOT-E3", 25);
        await File.WriteAllLinesAsync(Path.Combine(_folder, "eu-export.csv"),
        [
            "type;site;lot;material;inspection_lot;severity;supplier;rejected_quantity;unit",
            "inspection-failed;P1;LOT-E3;CAP-100UF;IL-E3;Major;S-ACME;1,5;EA",
        ], Ct);
        var sut = new FileDropSource(new FileDropOptions { Directory = _folder, CsvDelimiter = ';' });

        var report = (await sut.ProcessPendingAsync(new EventIntake(host.Orchestrator), Ct).WaitAsync(Limit, Ct)).Single();
        await host.Orchestrator.WaitForIdleAsync(Ct);

        var line = report.Lines.Should().ContainSingle().Subject;
        line.Status.Should().Be(PublishStatus.Rejected, "'1,5' is one and a half in a decimal-comma export, not 15");
        line.Errors.Should().ContainSingle().Which.Message.Should().StartWith("column 'rejected_quantity': ");
        host.Plant.Erp.QuantityIn(new LotId("LOT-E3"), StockCategory.Blocked).Should().Be(0);
    }

    [Fact]
    public async Task ProcessPendingAsync_CsvHeaderOverTheSizeLimit_EveryRowIsRefusedForItAndNoRowIsTakenForTheHeader()
    {
        await using var host = await new EngineTestHost().StartAsync();
        var header = "type,site,lot,material,inspection_lot,severity,supplier,rejected_quantity,unit" + new string(' ', 600);
        await File.WriteAllLinesAsync(Path.Combine(_folder, "wide.csv"),
        [
            header,
            "inspection-failed,P1,LOT-E4,CAP-100UF,IL-E4,Major,S-ACME,1,EA",
            "inspection-failed,P1,LOT-E5,CAP-100UF,IL-E5,Major,S-ACME,2,EA",
        ], Ct);
        var serializer = new EventSerializer(new EventSerializerOptions { MaxEventBytes = 512 });
        var sut = new FileDropSource(new FileDropOptions { Directory = _folder }, serializer);

        var report = (await sut.ProcessPendingAsync(new EventIntake(host.Orchestrator, serializer), Ct).WaitAsync(Limit, Ct)).Single();

        report.IsRejected.Should().BeTrue();
        report.Lines.Select(l => (l.LineNumber, l.Status)).Should().Equal([(2, PublishStatus.Rejected), (3, PublishStatus.Rejected)], "a row is never read as the header");
        report.Lines.Should().OnlyContain(l => l.Errors.Any(e => e.ReasonCode == ReasonCodes.PayloadTooLarge && e.Message.Contains("header", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task PublishContentAsync_ContentArrivingAByteAtATime_ReadsTheByteOrderMarksLikeAFile()
    {
        await using var host = await new EngineTestHost().StartAsync();
        var line = Encoding.UTF8.GetBytes(EventIntakeTests.Json(EngineTestHost.Passed("LOT-E6", "evt-e6")) + "\n");
        var sut = new FileDropSource(new FileDropOptions { Directory = _folder });
        var intake = new EventIntake(host.Orchestrator);

        var utf8 = await sut.PublishContentAsync(new TricklingStream([0xEF, 0xBB, 0xBF, .. line]), "upload.jsonl", intake, Ct).WaitAsync(Limit, Ct);
        var utf16 = await sut.PublishContentAsync(new TricklingStream([0xFF, 0xFE, .. Encoding.Unicode.GetBytes("{}\n")]), "upload16.jsonl", intake, Ct).WaitAsync(Limit, Ct);

        utf8.FileErrors.Should().BeEmpty();
        utf8.Lines.Should().ContainSingle().Which.Status.Should().Be(PublishStatus.Accepted, "a UTF-8 byte order mark is allowed however the bytes arrive");
        utf16.FileErrors.Should().ContainSingle().Which.ReasonCode.Should().Be(ReasonCodes.FileUnreadable);
    }

    [Fact]
    public async Task PublishAsync_CancelledWhileAnotherPublishIsBeingAccepted_GivesBackItsCapacity()
    {
        var (store, held) = HeldAcceptStore.Wrap(new InMemoryOrchestrationStore());
        await using var host = await TestWorkflows.NotifyHost(o =>
        {
            o.Store = store;
            o.Settings.Parallelism = 1;
            o.Settings.QueueCapacity = 2;
        }).StartAsync();

        // The first publish takes a slot and holds the intake while the store accepts it; the second takes the other
        // slot and waits its turn for the intake, then gives up.
        var gate = held.HoldNextAccept();
        var first = host.Orchestrator.PublishAsync(TestWorkflows.Signal("k0", "e0"), Ct).AsTask();
        await gate.Arrived.WaitAsync(Limit, Ct);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var second = host.Orchestrator.PublishAsync(TestWorkflows.Signal("k1", "e1"), cancel.Token).AsTask();
        await cancel.CancelAsync();
        await second.Invoking(t => t).Should().ThrowAsync<OperationCanceledException>();
        gate.Open();
        (await first.WaitAsync(Limit, Ct)).Status.Should().Be(PublishStatus.Accepted);
        await host.Orchestrator.WaitForIdleAsync(Ct);

        // Idle again, the whole capacity is free: a batch that needs all of it goes through.
        using var stuck = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var batch = host.Orchestrator.PublishBatchAsync([TestWorkflows.Signal("k2", "e2"), TestWorkflows.Signal("k3", "e3")], stuck.Token).AsTask();
        var finished = await Task.WhenAny(batch, Task.Delay(Limit, Ct)) == batch;
        await stuck.CancelAsync();
        finished.Should().BeTrue("a publish that gave up must give back the queue slot it had taken");
        (await batch).Should().OnlyContain(r => r.Status == PublishStatus.Accepted);
        await host.Orchestrator.WaitForIdleAsync(Ct);
        host.Plant.Notification.Sent.Should().HaveCount(3);
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    /// <summary>A stream that hands out one byte per read, as a slow upload or a chunked message body may.</summary>
    private sealed class TricklingStream(byte[] content) : MemoryStream(content)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, 1));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => base.ReadAsync(buffer[..Math.Min(buffer.Length, 1)], cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => base.ReadAsync(buffer, offset, Math.Min(count, 1), cancellationToken);
    }

    /// <summary>A store whose next <see cref="IOrchestrationStore.AcceptAsync"/> waits until the test lets it through.</summary>
    public class HeldAcceptStore : DispatchProxy
    {
        private IOrchestrationStore _inner = null!;
        private Gate? _next;

        public static (IOrchestrationStore Store, HeldAcceptStore Held) Wrap(IOrchestrationStore inner)
        {
            var store = DispatchProxy.Create<IOrchestrationStore, HeldAcceptStore>();
            var proxy = (HeldAcceptStore)(object)store;
            proxy._inner = inner;
            return (store, proxy);
        }

        public Gate HoldNextAccept()
        {
            var gate = new Gate();
            Volatile.Write(ref _next, gate);
            return gate;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            ArgumentNullException.ThrowIfNull(targetMethod);
            if (targetMethod.Name == nameof(IOrchestrationStore.AcceptAsync) && Interlocked.Exchange(ref _next, null) is { } gate)
            {
                gate.Arrive();
                return new ValueTask<IReadOnlyList<InboxEvent>>(AfterAsync(gate, () => ((ValueTask<IReadOnlyList<InboxEvent>>)Forward(targetMethod, args)!).AsTask()));
            }

            return Forward(targetMethod, args);
        }

        private static async Task<T> AfterAsync<T>(Gate gate, Func<Task<T>> call)
        {
            await gate.Opened;
            return await call();
        }

        private object? Forward(MethodInfo targetMethod, object?[]? args)
        {
            try
            {
                return targetMethod.Invoke(_inner, args);
            }
            catch (TargetInvocationException ex) when (ex.InnerException is not null)
            {
                ExceptionDispatchInfo.Throw(ex.InnerException);
                throw;
            }
        }

        public sealed class Gate
        {
            private readonly TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
            private readonly TaskCompletionSource _opened = new(TaskCreationOptions.RunContinuationsAsynchronously);

            public Task Arrived => _arrived.Task;

            internal Task Opened => _opened.Task.WaitAsync(Limit, Ct);

            public void Open() => _opened.TrySetResult();

            internal void Arrive() => _arrived.TrySetResult();
        }
    }
}
