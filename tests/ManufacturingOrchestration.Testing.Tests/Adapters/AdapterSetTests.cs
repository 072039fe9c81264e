using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Model;
using static ManufacturingOrchestration.Testing.Tests.Adapters.OperationRegistryTests;

namespace ManufacturingOrchestration.Testing.Tests.Adapters;

public sealed class AdapterSetTests
{
    private static readonly SiteId Eu = new("EU01");
    private static readonly SiteId Us = new("US01");
    private static readonly SiteId Mx = new("MX01");

    private static AdapterSet NewSet() => new(OperationRegistry.CreateDefault()
        .AddCommand(RecordSample.KindName, LimsJson.Default.RecordSample)
        .AddQuery<GetSample, string?>(GetSample.KindName));

    private static RecordSample Sample(string key, SiteId? site = null) => new() { Context = Context(key, site), Sample = "S-" + key, Lot = new LotId("L-1") };

    [Fact]
    public async Task ExecuteAsync_RoutesBySite_SiteAdapterFirstThenTheSystemsDefault()
    {
        var global = new Lims(null);
        var us = new Lims(null);
        var adapters = NewSet().Add("lims", global).Add("lims", us, [Us]);

        (await adapters.ExecuteAsync(Sample("a", Us), Ct)).IsSuccess.Should().BeTrue();
        (await adapters.ExecuteAsync(Sample("b", Eu), Ct)).IsSuccess.Should().BeTrue();
        (await adapters.ExecuteAsync(Sample("c"), Ct)).IsSuccess.Should().BeTrue();

        us.Recorded.Select(r => r.Sample).Should().Equal("S-a");
        global.Recorded.Select(r => r.Sample).Should().Equal("S-b", "S-c");
        adapters.Systems.Should().Equal("lims");
        adapters.RoutedSites.Should().Equal(Us);
    }

    [Fact]
    public async Task ExecuteAsync_NoAdapterForTheSystem_PermanentNotConfiguredNamingTheSite()
    {
        var adapters = NewSet().Add("lims", new Lims(null), [Us]);

        var result = await adapters.ExecuteAsync(Sample("a", Eu), Ct);

        result.IsPermanent.Should().BeTrue();
        result.Reason.Should().Be(ReasonCodes.AdapterNotConfigured);
        result.Message.Should().Be("No lims adapter is configured for site EU01 for 'lims.record-sample'.");
    }

    [Fact]
    public async Task ExecuteAsync_AdapterThatDoesNotSupportIt_PermanentNotSupported_NothingCalled()
    {
        var selective = new Lims([GetSample.KindName]);
        var adapters = NewSet().Add("lims", selective);

        var result = await adapters.ExecuteAsync(Sample("a"), Ct);

        result.Reason.Should().Be(ReasonCodes.OperationNotSupported);
        result.Message.Should().Be("The lims adapter (Lims) does not support 'lims.record-sample'.");
        selective.Recorded.Should().BeEmpty();
    }

    [Fact]
    public async Task ExecuteAsync_UnregisteredCommandType_PermanentUnknownKind()
    {
        var adapters = new AdapterSet().Add("lims", new Lims(null));

        var result = await adapters.ExecuteAsync(Sample("a"), Ct);

        result.Reason.Should().Be(ReasonCodes.UnknownCommandKind);
        result.Message.Should().Contain("'lims.record-sample' (RecordSample) is not a registered command");
    }

    [Theory]
    [InlineData("permanent", AdapterResultStatus.PermanentFailure, "adapter.permanent")]
    [InlineData("known", AdapterResultStatus.TransientFailure, "adapter.circuit-open")]
    [InlineData("other", AdapterResultStatus.TransientFailure, "adapter.transient")]
    public async Task ExecuteAsync_AdapterThrows_ClassifiedNotThrown(string thrown, AdapterResultStatus status, string code)
    {
        Exception exception = thrown switch
        {
            "permanent" => new AdapterPermanentException("bad credentials"),
            "known" => new ManufacturingOrchestrationException(ReasonCodes.CircuitOpen, "open"),
            _ => new TimeoutException("slow"),
        };
        var adapters = NewSet().Add("lims", new Lims(null, _ => throw exception));

        var result = await adapters.ExecuteAsync(Sample("a"), Ct);

        result.Status.Should().Be(status);
        result.Reason!.Value.Code.Should().Be(code);
    }

    [Fact]
    public async Task ExecuteAsync_CallerCancels_CancellationPropagates()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        var adapters = NewSet().Add("lims", new Lims(null, _ => throw new OperationCanceledException(cancelled.Token)));

        var act = async () => await adapters.ExecuteAsync(Sample("a"), cancelled.Token);

        await act.Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public async Task Handle_TakesOverOneOperationForEverySite()
    {
        var site = new Lims(null);
        var handler = new Lims(null);
        var adapters = NewSet().Add("lims", new Lims(null)).Add("lims", site, [Us]).Handle(RecordSample.KindName, handler);

        await adapters.ExecuteAsync(Sample("a", Us), Ct);

        handler.Recorded.Should().ContainSingle();
        site.Recorded.Should().BeEmpty();
        adapters.Find(GetSample.KindName, Us).Should().BeSameAs(site);
    }

    [Fact]
    public void Handle_HandlerWithoutTheInterfaceOrUnknownOperation_Refused()
    {
        var adapters = NewSet();

        ((Action)(() => adapters.Handle(CommandKinds.NotificationSend, new Lims(null)))).Should().Throw<ArgumentException>()
            .WithMessage("*Lims does not implement ICommandHandler<SendNotificationRequest>*");
        ((Action)(() => adapters.Handle("lims.unknown", new Lims(null)))).Should().Throw<ArgumentException>().WithMessage("*'lims.unknown' is not registered*");
    }

    [Theory]
    [InlineData("ERP")]
    [InlineData("erp.eu")]
    [InlineData("")]
    public void Add_MalformedSystem_Refused(string system)
    {
        var act = () => NewSet().Add(system, new Lims(null));

        act.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Add_SiteAdapterWithoutSites_Refused()
    {
        var act = () => NewSet().Add("lims", new Lims(null), []);

        act.Should().Throw<ArgumentException>().WithMessage("*at least one site*");
    }

    [Fact]
    public async Task QueryAsync_RoutesBySiteAndAnswers()
    {
        var adapters = NewSet().Add("lims", new Lims(null, result: q => "default:" + q.Sample)).Add("lims", new Lims(null, result: q => "us:" + q.Sample), [Us]);

        (await adapters.QueryAsync(new GetSample("S-1"), Us, Ct)).Should().Be("us:S-1");
        (await adapters.QueryAsync(new GetSample("S-2"), Mx, Ct)).Should().Be("default:S-2");
    }

    [Fact]
    public async Task QueryAsync_AdapterThrows_AdapterQueryExceptionClassifiedAndNamingTheQuery()
    {
        var adapters = NewSet().Add("lims", new Lims(null, result: _ => throw new HttpRequestException("reset")));

        var act = async () => await adapters.QueryAsync(new GetSample("S-1"), null, Ct);

        var thrown = (await act.Should().ThrowAsync<AdapterQueryException>()).Which;
        thrown.IsTransient.Should().BeTrue();
        thrown.Operation.Should().Be(GetSample.KindName);
        thrown.ReasonCode.Should().Be(ReasonCodes.AdapterTransient);
        thrown.Subject.Should().Be("GetSample { Sample = S-1 }");
        thrown.Message.Should().Be("lims.get-sample (GetSample { Sample = S-1 }): HttpRequestException: reset");
        thrown.InnerException.Should().BeOfType<HttpRequestException>();
    }

    [Fact]
    public async Task QueryAsync_NotSupportedOrUnregistered_PermanentAdapterQueryException()
    {
        var adapters = NewSet().Add("lims", new Lims([RecordSample.KindName]));

        var unsupported = async () => await adapters.QueryAsync(new GetSample("S-1"), null, Ct);
        var unregistered = async () => await new AdapterSet().QueryAsync(new GetSample("S-1"), null, Ct);

        (await unsupported.Should().ThrowAsync<AdapterQueryException>()).Which.ReasonCode.Should().Be(ReasonCodes.OperationNotSupported);
        var refused = (await unregistered.Should().ThrowAsync<AdapterQueryException>()).Which;
        refused.ReasonCode.Should().Be(ReasonCodes.UnknownOperation);
        refused.IsTransient.Should().BeFalse();
    }

    [Fact]
    public void FindGaps_NamesTheDefaultAndEachRoutedSiteThatLacksTheOperation()
    {
        var adapters = NewSet().Add("lims", new Lims([GetSample.KindName])).Add("lims", new Lims(null), [Us]).Add("lims", new Lims([GetSample.KindName]), [Eu]);

        adapters.FindGaps(RecordSample.KindName).Should().Equal(
            "the default lims adapter (Lims) does not support 'lims.record-sample'",
            "the lims adapter of site EU01 (Lims) does not support 'lims.record-sample'");
        adapters.FindGaps(GetSample.KindName).Should().BeEmpty();
        NewSet().FindGaps(RecordSample.KindName).Should().Equal("no lims adapter is composed for 'lims.record-sample'");
        NewSet().FindGaps("lims.nothing").Should().ContainSingle().Which.Should().StartWith("'lims.nothing' is not a registered operation");
    }

    [Fact]
    public void FindGaps_OnlySiteAdapters_EachSiteCheckedNoDefaultRequired()
    {
        var adapters = NewSet().Add("lims", new Lims(null), [Us, Eu]);

        adapters.FindGaps(RecordSample.KindName).Should().BeEmpty();
        adapters.Supports(RecordSample.KindName, Us).Should().BeTrue();
        adapters.Supports(RecordSample.KindName, Mx).Should().BeFalse();
    }

    [Fact]
    public void SystemsAndRoutedSites_ListedInOrder()
    {
        var adapters = NewSet().Add("wms", new Lims(null)).Add("lims", new Lims(null), [Us, Eu]).Add("erp", new Lims(null), [Mx]);

        adapters.Systems.Should().Equal("erp", "lims", "wms");
        adapters.RoutedSites.Should().Equal(Eu, Mx, Us);
    }

    [Fact]
    public void FindGaps_SitesNamedInOrder_AndAHandlerClosesEveryGap()
    {
        var adapters = NewSet().Add("lims", new Lims([GetSample.KindName]), [Us]).Add("lims", new Lims([GetSample.KindName]), [Eu]);

        adapters.FindGaps(RecordSample.KindName).Should().Equal(
            "the lims adapter of site EU01 (Lims) does not support 'lims.record-sample'",
            "the lims adapter of site US01 (Lims) does not support 'lims.record-sample'");
        adapters.Handle(RecordSample.KindName, new Lims(null)).FindGaps(RecordSample.KindName).Should().BeEmpty();
    }

    [Fact]
    public async Task Messages_NameAnAdapterByItsOwnNameWhenItHasOne()
    {
        var adapters = NewSet().Add("lims", new NamedLims("lab-eu"));

        var result = await adapters.ExecuteAsync(Sample("a"), Ct);

        result.Message.Should().Be("The lims adapter (NamedLims 'lab-eu') does not support 'lims.record-sample'.");
    }

    [Fact]
    public async Task QueryAsync_UnregisteredQuery_NamesTheTypeAndTheQuery()
    {
        var act = async () => await new AdapterSet().QueryAsync(new GetSample("S-9"), null, Ct);

        var refusal = (await act.Should().ThrowAsync<AdapterQueryException>()).Which;
        refusal.Operation.Should().Be("GetSample");
        refusal.Subject.Should().Be("GetSample { Sample = S-9 }");
        refusal.Failure.Message.Should().Be("GetSample is not a registered query: register it with OperationRegistry.AddQuery.");
    }

    [Fact]
    public async Task ExecuteAsync_AdapterAnswersLater_TheAwaitedResultIsReturned()
    {
        var adapters = NewSet().Add("lims", new SlowLims());

        (await adapters.ExecuteAsync(Sample("a"), Ct)).ExternalReference.Should().Be("slow-S-a");
        (await adapters.QueryAsync(new GetSample("S-1"), null, Ct)).Should().Be("slow:S-1");
    }

    [Fact]
    public void AdapterFailures_KnownExceptionIsTransientWithItsOwnCodeAndTypeInTheMessage()
    {
        var result = AdapterFailures.Classify(new ManufacturingOrchestrationException(ReasonCodes.CircuitOpen, "open"));

        result.IsTransient.Should().BeTrue();
        result.Reason.Should().Be(ReasonCodes.CircuitOpen);
        result.Message.Should().Be("ManufacturingOrchestrationException: open");
        ((Action)(() => AdapterFailures.Classify(null!))).Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public void AdapterQueryException_NeedsAFailureAnOperationAndASubject()
    {
        var failure = AdapterResult.Transient("down");

        ((Action)(() => _ = new AdapterQueryException("lims.get-sample", AdapterResult.Success(), null, "q"))).Should().Throw<ArgumentException>().WithMessage("A query failure must be a transient or permanent result.*");
        ((Action)(() => _ = new AdapterQueryException("lims.get-sample", null!, null, "q"))).Should().Throw<ArgumentNullException>();
        ((Action)(() => _ = new AdapterQueryException("", failure, null, "q"))).Should().Throw<ArgumentException>();
        ((Action)(() => _ = new AdapterQueryException("lims.get-sample", failure, null, ""))).Should().Throw<ArgumentException>();
    }

    [Fact]
    public async Task PublicMembers_NullArguments_Refused()
    {
        var adapters = NewSet();

        ((Action)(() => _ = new AdapterSet(null!))).Should().Throw<ArgumentNullException>();
        ((Action)(() => adapters.Add("lims", null!))).Should().Throw<ArgumentNullException>();
        ((Action)(() => adapters.Add("LIMS", new Lims(null), [Us]))).Should().Throw<ArgumentException>();
        ((Action)(() => adapters.Add("lims", null!, [Us]))).Should().Throw<ArgumentNullException>();
        ((Action)(() => adapters.Add("lims", new Lims(null), null!))).Should().Throw<ArgumentNullException>();
        ((Action)(() => adapters.Handle(null!, new Lims(null)))).Should().Throw<ArgumentNullException>();
        ((Action)(() => adapters.Handle(RecordSample.KindName, null!))).Should().Throw<ArgumentNullException>();
        ((Action)(() => adapters.Find(null!, null))).Should().Throw<ArgumentNullException>();
        ((Action)(() => adapters.FindGaps(null!))).Should().Throw<ArgumentNullException>();
        await adapters.Invoking(async a => await a.ExecuteAsync(null!, Ct)).Should().ThrowAsync<ArgumentNullException>();
        await adapters.Invoking(async a => await a.QueryAsync<string?>(null!, null, Ct)).Should().ThrowAsync<ArgumentNullException>();
    }

    [Fact]
    public void IsEmpty_TrueUntilSomethingIsComposed()
    {
        NewSet().IsEmpty.Should().BeTrue();
        NewSet().Add("lims", new Lims(null), [Us]).IsEmpty.Should().BeFalse();
        NewSet().Handle(RecordSample.KindName, new Lims(null)).IsEmpty.Should().BeFalse();
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed class NamedLims(string name) : IQueryHandler<GetSample, string?>
    {
        public ValueTask<string?> QueryAsync(GetSample query, CancellationToken cancellationToken = default) => ValueTask.FromResult<string?>(name);

        public override string ToString() => name;
    }

    private sealed class SlowLims : ICommandHandler<RecordSample>, IQueryHandler<GetSample, string?>
    {
        public async ValueTask<AdapterResult> ExecuteAsync(RecordSample command, CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            return AdapterResult.Success("slow-" + command.Sample);
        }

        public async ValueTask<string?> QueryAsync(GetSample query, CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            return "slow:" + query.Sample;
        }
    }
}
