using System.Text.Json;
using ManufacturingOrchestration.Adapters.Http.Tests.Support;
using ManufacturingOrchestration.Adapters.Serialization;
using ManufacturingOrchestration.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace ManufacturingOrchestration.Adapters.Http.Tests;

public sealed class JsonRestErpConnectorTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task ChangeStockCategoryAsync_TwoServiceUnavailableThenOk_RetriesInCallAndSucceeds()
    {
        await using var server = LoopbackServer.Sequence(ScriptedResponse.Of(503), ScriptedResponse.Of(503), ScriptedResponse.Of(201, """{"documentNumber":"4900001234"}"""));
        await using var provider = TestConnectors.Services(server);

        var result = await TestConnectors.Erp(provider).ChangeStockCategoryAsync(TestConnectors.Block(), Ct);

        result.Status.Should().Be(AdapterResultStatus.Succeeded);
        result.ExternalReference.Should().Be("4900001234");
        server.Hits.Should().Be(3);
        server.Requests.Select(r => r.Header("Idempotency-Key")).Should().AllBe("idem-1", "every in-call retry carries the same key");
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task ChangeStockCategoryAsync_PersistentServiceUnavailable_IsTransientAfterBoundedAttempts()
    {
        await using var server = LoopbackServer.Always(ScriptedResponse.Of(503, """{"title":"maintenance window"}"""));
        await using var provider = TestConnectors.Services(server);

        var result = await TestConnectors.Erp(provider).ChangeStockCategoryAsync(TestConnectors.Block(), Ct);

        result.Status.Should().Be(AdapterResultStatus.TransientFailure);
        result.Reason.Should().Be(ReasonCodes.AdapterTransient);
        result.Message.Should().Contain("503").And.Contain("maintenance window");
        server.Hits.Should().Be(3, "one attempt plus MaxRetryAttempts = 2 in-call retries, never more");
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task ChangeStockCategoryAsync_TooManyRequestsWithLongRetryAfter_IsTransientWithRetryAfterAndNoInCallRetry()
    {
        var throttled = new ScriptedResponse { Status = 429, Headers = { ["Retry-After"] = "30" } };
        await using var server = LoopbackServer.Always(throttled);
        await using var provider = TestConnectors.Services(server);

        var result = await TestConnectors.Erp(provider).ChangeStockCategoryAsync(TestConnectors.Block(), Ct);

        result.Status.Should().Be(AdapterResultStatus.TransientFailure);
        result.RetryAfter.Should().Be(TimeSpan.FromSeconds(30));
        server.Hits.Should().Be(1, "a wait longer than the in-call budget is handed to the engine's outbox");
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task ChangeStockCategoryAsync_TooManyRequestsWithZeroRetryAfter_RetriesInCall()
    {
        await using var server = LoopbackServer.Sequence(new ScriptedResponse { Status = 429, Headers = { ["Retry-After"] = "0" } }, ScriptedResponse.Of(200));
        await using var provider = TestConnectors.Services(server);

        var result = await TestConnectors.Erp(provider).ChangeStockCategoryAsync(TestConnectors.Block(), Ct);

        result.Status.Should().Be(AdapterResultStatus.Succeeded);
        server.Hits.Should().Be(2);
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task ChangeStockCategoryAsync_SlowAnswers_HitAttemptTimeoutAndAreTransient()
    {
        await using var server = LoopbackServer.Always(new ScriptedResponse { Status = 200, Delay = TimeSpan.FromMilliseconds(300) });
        await using var provider = TestConnectors.Services(server, o =>
        {
            o.Resilience.Retry.MaxRetryAttempts = 1;
            o.Resilience.AttemptTimeout.Timeout = TimeSpan.FromMilliseconds(100);
            o.Resilience.TotalRequestTimeout.Timeout = TimeSpan.FromSeconds(2);
        });

        var result = await TestConnectors.Erp(provider).ChangeStockCategoryAsync(TestConnectors.Block(), Ct);

        result.Status.Should().Be(AdapterResultStatus.TransientFailure);
        result.Message.Should().Contain("timed out after 100 ms");
        server.Hits.Should().Be(2);
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task ChangeStockCategoryAsync_CircuitTripped_IsTransientCircuitOpenWithoutCallingAndRecoversAfterBreakOnInjectedClock()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 6, 0, 0, TimeSpan.Zero));
        var healthy = 0;
        await using var server = LoopbackServer.Start((_, _) => Volatile.Read(ref healthy) == 1 ? ScriptedResponse.Of(200) : ScriptedResponse.Of(503));
        await using var provider = TestConnectors.Services(
            server,
            o =>
            {
                o.Resilience.Retry.MaxRetryAttempts = 0;
                o.Resilience.CircuitBreaker.MinimumThroughput = 2;
                o.Resilience.CircuitBreaker.FailureRatio = 0.5;
                o.Resilience.CircuitBreaker.BreakDuration = TimeSpan.FromSeconds(30);
            },
            services => services.AddSingleton<TimeProvider>(time));
        var erp = TestConnectors.Erp(provider);

        (await erp.ChangeStockCategoryAsync(TestConnectors.Block(key: "k1"), Ct)).Reason.Should().Be(ReasonCodes.AdapterTransient);
        (await erp.ChangeStockCategoryAsync(TestConnectors.Block(key: "k2"), Ct)).Reason.Should().Be(ReasonCodes.AdapterTransient);
        var open = await erp.ChangeStockCategoryAsync(TestConnectors.Block(key: "k3"), Ct);

        open.Status.Should().Be(AdapterResultStatus.TransientFailure);
        open.Reason.Should().Be(ReasonCodes.CircuitOpen);
        open.RetryAfter.Should().Be(TimeSpan.FromSeconds(30));
        server.Hits.Should().Be(2, "an open circuit does not reach the server");

        Volatile.Write(ref healthy, 1);
        time.Advance(TimeSpan.FromSeconds(31));
        var recovered = await erp.ChangeStockCategoryAsync(TestConnectors.Block(key: "k4"), Ct);

        recovered.Status.Should().Be(AdapterResultStatus.Succeeded, "the break elapsed on the injected clock, not the wall clock");
        server.Hits.Should().Be(3);
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task ChangeStockCategoryAsync_Conflict_IsAlreadyAppliedWithReference()
    {
        await using var server = LoopbackServer.Always(ScriptedResponse.Of(409, """{"documentNumber":"4900000001"}"""));
        await using var provider = TestConnectors.Services(server);

        var result = await TestConnectors.Erp(provider).ChangeStockCategoryAsync(TestConnectors.Block(), Ct);

        result.Status.Should().Be(AdapterResultStatus.AlreadyApplied);
        result.IsSuccess.Should().BeTrue();
        result.ExternalReference.Should().Be("4900000001");
        server.Hits.Should().Be(1);
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task ChangeStockCategoryAsync_ConfiguredAlreadyAppliedStatus_IsAlreadyApplied()
    {
        await using var server = LoopbackServer.Always(ScriptedResponse.Of(208));
        await using var provider = TestConnectors.Services(server, o => o.AlreadyAppliedStatusCodes.Add(208));

        var result = await TestConnectors.Erp(provider).ChangeStockCategoryAsync(TestConnectors.Block(), Ct);

        result.Status.Should().Be(AdapterResultStatus.AlreadyApplied);
    }

    [Theory(Timeout = LoopbackServer.TestTimeout)]
    [InlineData(400)]
    [InlineData(422)]
    public async Task ChangeStockCategoryAsync_ClientError_IsPermanentWithoutRetry(int status)
    {
        await using var server = LoopbackServer.Always(ScriptedResponse.Of(status, """{"type":"about:blank","title":"Invalid","detail":"Batch LOT-1 is restricted"}"""));
        await using var provider = TestConnectors.Services(server);

        var result = await TestConnectors.Erp(provider).ChangeStockCategoryAsync(TestConnectors.Block(), Ct);

        result.Status.Should().Be(AdapterResultStatus.PermanentFailure);
        result.Reason.Should().Be(ReasonCodes.AdapterPermanent);
        result.Message.Should().Contain(status.ToString(System.Globalization.CultureInfo.InvariantCulture)).And.Contain("Batch LOT-1 is restricted");
        server.Hits.Should().Be(1);
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task ChangeStockCategoryAsync_NotFound_IsPermanentReferenceUnknown()
    {
        await using var server = LoopbackServer.Always(ScriptedResponse.Of(404));
        await using var provider = TestConnectors.Services(server);

        var result = await TestConnectors.Erp(provider).ChangeStockCategoryAsync(TestConnectors.Block(), Ct);

        result.Reason.Should().Be(ReasonCodes.ReferenceUnknown);
        result.IsPermanent.Should().BeTrue();
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task ChangeStockCategoryAsync_Success_SendsCommandJsonToTemplatePathWithKeyAndCorrelationHeaders()
    {
        await using var server = LoopbackServer.Always(ScriptedResponse.Of(200, """{"documentNumber":4900000042}"""));
        await using var provider = TestConnectors.Services(server);
        var command = TestConnectors.Block(lot: "LOT/7 A") with { Context = TestConnectors.Context("idem-9", causation: "evt-3") };

        var result = await TestConnectors.Erp(provider).ChangeStockCategoryAsync(command, Ct);

        result.ExternalReference.Should().Be("4900000042", "a numeric JSON reference is read as text");
        var request = server.Requests.Should().ContainSingle().Subject;
        request.Method.Should().Be("POST");
        request.Path.Should().Be("/api/v1/lots/LOT%2F7%20A/stock-category");
        request.Header("Idempotency-Key").Should().Be("idem-9");
        request.Header("X-Correlation-Id").Should().Be("corr-7");
        request.Header("X-Causation-Id").Should().Be("evt-3");
        request.Header("Content-Type").Should().StartWith("application/json");
        OperationRegistry.CreateDefault().Deserialize(CommandKinds.ErpChangeStockCategory, System.Text.Encoding.UTF8.GetBytes(request.Body)).Should().Be(command);
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task ChangeStockCategoryAsync_ReferenceHeaderConfigured_ReadsReferenceFromHeader()
    {
        await using var server = LoopbackServer.Always(new ScriptedResponse { Status = 201, Headers = { ["X-Document-Number"] = "5000000777" } });
        await using var provider = TestConnectors.Services(server, o => o.ExternalReferenceHeader = "X-Document-Number");

        var result = await TestConnectors.Erp(provider).ChangeStockCategoryAsync(TestConnectors.Block(), Ct);

        result.ExternalReference.Should().Be("5000000777");
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task ChangeStockCategoryAsync_EndpointAndPayloadOverridden_UsesThem()
    {
        await using var server = LoopbackServer.Always(ScriptedResponse.Of(204));
        await using var provider = TestConnectors.Services(server, o =>
        {
            o.Endpoints[CommandKinds.ErpChangeStockCategory] = HttpEndpoint.Put("plants/{site}/batches/{lot}/status?material={material}");
            o.RequestContentFactory = command => new StringContent($"{{\"kind\":\"{command.Kind}\"}}");
        });

        var result = await TestConnectors.Erp(provider).ChangeStockCategoryAsync(TestConnectors.Block(), Ct);

        result.Status.Should().Be(AdapterResultStatus.Succeeded);
        result.ExternalReference.Should().BeNull();
        var request = server.Requests.Should().ContainSingle().Subject;
        request.Method.Should().Be("PUT");
        request.Path.Should().Be("/api/v1/plants/PLANT-1/batches/LOT-1/status?material=MAT-1");
        request.Body.Should().Be("""{"kind":"erp.change-stock-category"}""");
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task ChangeStockCategoryAsync_NoEndpointForKind_IsPermanentNotConfiguredWithoutCalling()
    {
        await using var server = LoopbackServer.Always(ScriptedResponse.Of(200));
        await using var provider = TestConnectors.Services(server, o => o.Endpoints.Remove(CommandKinds.ErpChangeStockCategory));

        var result = await TestConnectors.Erp(provider).ChangeStockCategoryAsync(TestConnectors.Block(), Ct);

        result.Reason.Should().Be(ReasonCodes.AdapterNotConfigured);
        server.Hits.Should().Be(0);
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task ChangeStockCategoryAsync_TemplateNeedsMissingValue_IsPermanentWithoutCalling()
    {
        await using var server = LoopbackServer.Always(ScriptedResponse.Of(200));
        await using var provider = TestConnectors.Services(server, o => o.Endpoints[CommandKinds.ErpChangeStockCategory] = HttpEndpoint.Post("orders/{order}"));

        var result = await TestConnectors.Erp(provider).ChangeStockCategoryAsync(TestConnectors.Block(), Ct);

        result.IsPermanent.Should().BeTrue();
        result.Message.Should().Contain("'order'");
        server.Hits.Should().Be(0);
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task ChangeStockCategoryAsync_ServerDown_IsTransient()
    {
        Uri address;
        await using (var server = LoopbackServer.Always(ScriptedResponse.Of(200)))
        {
            address = server.BaseAddress;
        }

        await using var stopped = LoopbackServer.Always(ScriptedResponse.Of(200));
        await using var provider = TestConnectors.Services(stopped, o => o.BaseAddress = address);

        var result = await TestConnectors.Erp(provider).ChangeStockCategoryAsync(TestConnectors.Block(), Ct);

        result.Status.Should().Be(AdapterResultStatus.TransientFailure);
        result.Reason.Should().Be(ReasonCodes.AdapterTransient);
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task ChangeStockCategoryAsync_CallerCancels_ThrowsOperationCanceled()
    {
        await using var server = LoopbackServer.Always(new ScriptedResponse { Status = 200, Delay = TimeSpan.FromMilliseconds(300) });
        await using var provider = TestConnectors.Services(server);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cts.CancelAfter(TimeSpan.FromMilliseconds(50));

        var act = async () => await TestConnectors.Erp(provider).ChangeStockCategoryAsync(TestConnectors.Block(), cts.Token);

        await act.Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task ChangeStockCategoryAsync_WithCredential_SendsItButNeverLeaksItInResultsOrLogs()
    {
        const string token = "s3cr3t-t0ken-4711";
        var logs = new CapturingLoggerProvider();
        await using var server = LoopbackServer.Start((request, _) =>
            ScriptedResponse.Of(400, $$"""{"detail":"unauthorized caller {{request.Header("Authorization")}}"}"""));
        await using var provider = TestConnectors.Services(server, services: s => s.AddSingleton<ICredentialProvider>(new SecretProvider("Bearer " + token)), logs: logs);

        var result = await TestConnectors.Erp(provider).ChangeStockCategoryAsync(TestConnectors.Block(), Ct);

        server.Requests.Single().Header("Authorization").Should().Be("Bearer " + token);
        result.IsPermanent.Should().BeTrue();
        result.Message.Should().Contain("unauthorized caller").And.NotContain(token);
        result.ToString().Should().NotContain(token);
        logs.Entries.Should().NotBeEmpty().And.OnlyContain(entry => !entry.Contains(token, StringComparison.Ordinal));
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task GetLotAsync_ServerEchoesCredentialInError_ExceptionNeverContainsIt()
    {
        const string token = "k3y-0f-the-plant-erp";
        await using var server = LoopbackServer.Start((request, _) => ScriptedResponse.Of(403, $"forbidden for {request.Header("X-Api-Key")}"));
        await using var provider = TestConnectors.Services(
            server,
            o => o.CredentialHeader = "X-Api-Key",
            s => s.AddKeyedSingleton<ICredentialProvider>(TestConnectors.ErpName, new SecretProvider(token)));

        var act = async () => await TestConnectors.Erp(provider).GetLotAsync(new LotId("LOT-1"), Ct);

        var thrown = await act.Should().ThrowAsync<AdapterPermanentException>();
        thrown.Which.Message.Should().Contain("403").And.NotContain(token);
        thrown.Which.ToString().Should().NotContain(token);
        server.Requests.Single().Header("X-Api-Key").Should().Be(token, "the keyed provider of the connector wins");
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task ChangeStockCategoryAsync_CredentialProviderFails_IsTransientWithoutCalling()
    {
        await using var server = LoopbackServer.Always(ScriptedResponse.Of(200));
        await using var provider = TestConnectors.Services(server, services: s => s.AddSingleton<ICredentialProvider>(new FailingProvider()));

        var result = await TestConnectors.Erp(provider).ChangeStockCategoryAsync(TestConnectors.Block(), Ct);

        result.IsTransient.Should().BeTrue();
        result.Message.Should().Contain(nameof(InvalidOperationException)).And.NotContain("vault-password");
        server.Hits.Should().Be(0);
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task GetLotAsync_Ok_DeserializesLotWithAdapterJsonContracts()
    {
        var lot = new MaterialLot { Id = new LotId("LOT-1"), Material = new MaterialId("MAT-1"), Site = new SiteId("PLANT-1"), Unit = UnitOfMeasure.Kilogram };
        var json = JsonSerializer.Serialize(lot, AdapterJson.Context.GetTypeInfo(typeof(MaterialLot))!);
        await using var server = LoopbackServer.Always(ScriptedResponse.Of(200, json));
        await using var provider = TestConnectors.Services(server);

        var found = await TestConnectors.Erp(provider).GetLotAsync(new LotId("LOT-1"), Ct);

        found.Should().NotBeNull();
        found!.Id.Should().Be(lot.Id);
        found.Material.Should().Be(lot.Material);
        found.Unit.Should().Be(UnitOfMeasure.Kilogram);
        var request = server.Requests.Single();
        request.Method.Should().Be("GET");
        request.Path.Should().Be("/api/v1/lots/LOT-1");
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task GetLotAsync_NotFound_ReturnsNull()
    {
        await using var server = LoopbackServer.Always(ScriptedResponse.Of(404));
        await using var provider = TestConnectors.Services(server);

        var found = await TestConnectors.Erp(provider).GetLotAsync(new LotId("LOT-404"), Ct);

        found.Should().BeNull();
        server.Hits.Should().Be(1);
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task GetOpenAllocationsAsync_NotFound_ReturnsEmpty()
    {
        await using var server = LoopbackServer.Always(ScriptedResponse.Of(404));
        await using var provider = TestConnectors.Services(server);

        var allocations = await TestConnectors.Erp(provider).GetOpenAllocationsAsync(new LotId("LOT-404"), Ct);

        allocations.Should().BeEmpty();
        server.Requests.Single().Path.Should().Be("/api/v1/lots/LOT-404/allocations");
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task GetStockAsync_PersistentServerError_ThrowsTransientConnectorException()
    {
        await using var server = LoopbackServer.Always(new ScriptedResponse { Status = 502, Headers = { ["Retry-After"] = "120" } });
        await using var provider = TestConnectors.Services(server);

        var act = async () => await TestConnectors.Erp(provider).GetStockAsync(new LotId("LOT-1"), Ct);

        var thrown = await act.Should().ThrowAsync<HttpConnectorException>();
        thrown.Which.ReasonCode.Should().Be(ReasonCodes.AdapterTransient);
        thrown.Which.StatusCode.Should().Be(502);
        thrown.Which.RetryAfter.Should().Be(TimeSpan.FromMinutes(2));
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task GetMaterialAsync_InvalidJson_ThrowsPermanent()
    {
        await using var server = LoopbackServer.Always(ScriptedResponse.Of(200, """{"id": 42"""));
        await using var provider = TestConnectors.Services(server);

        var act = async () => await TestConnectors.Erp(provider).GetMaterialAsync(new MaterialId("MAT-1"), Ct);

        (await act.Should().ThrowAsync<AdapterPermanentException>()).Which.Message.Should().Contain(nameof(MaterialDefinition));
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task ChangeStockCategoryAsync_CorrelationIdNotAscii_IsSentPercentEncodedOnEveryAttempt()
    {
        await using var server = LoopbackServer.Sequence(ScriptedResponse.Of(503), ScriptedResponse.Of(200));
        await using var provider = TestConnectors.Services(server);
        var command = TestConnectors.Block() with { Context = TestConnectors.Context() with { CorrelationId = "Größe 7%" } };

        var result = await TestConnectors.Erp(provider).ChangeStockCategoryAsync(command, Ct);

        result.Status.Should().Be(AdapterResultStatus.Succeeded, "a correlation id the header cannot carry as it is must not fail the command");
        server.Requests.Select(r => r.Header("X-Correlation-Id")).Should().Equal("Gr%C3%B6%C3%9Fe 7%25", "Gr%C3%B6%C3%9Fe 7%25");
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task ChangeStockCategoryAsync_CausationIdWithLineBreak_CannotAddAHeader()
    {
        await using var server = LoopbackServer.Always(ScriptedResponse.Of(200));
        await using var provider = TestConnectors.Services(server);
        var command = TestConnectors.Block() with { Context = TestConnectors.Context(causation: "evt-1\r\nX-Injected: yes") };

        var result = await TestConnectors.Erp(provider).ChangeStockCategoryAsync(command, Ct);

        result.Status.Should().Be(AdapterResultStatus.Succeeded);
        var request = server.Requests.Should().ContainSingle().Subject;
        request.Header("X-Injected").Should().BeNull();
        request.Header("X-Causation-Id").Should().Be("evt-1%0D%0AX-Injected: yes");
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task ChangeStockCategoryAsync_CredentialNotAscii_IsPermanentWithoutCallingOrQuotingIt()
    {
        await using var server = LoopbackServer.Always(ScriptedResponse.Of(200));
        await using var provider = TestConnectors.Services(server, services: s => s.AddSingleton<ICredentialProvider>(new SecretProvider("Bearer tök3n-0815")));

        var result = await TestConnectors.Erp(provider).ChangeStockCategoryAsync(TestConnectors.Block(), Ct);

        result.Status.Should().Be(AdapterResultStatus.PermanentFailure, "a credential that can never be sent is a configuration fault, not a passing one");
        result.Message.Should().Contain("'Authorization'").And.NotContain("tök3n");
        server.Hits.Should().Be(0);
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task ChangeStockCategoryAsync_ErrorDetailCutInsideTheEchoedCredential_QuotesNoPartOfIt()
    {
        const string token = "s3cr3t-t0ken-4711";
        await using var server = LoopbackServer.Start((request, _) => ScriptedResponse.Of(400, $"unauthorized caller {request.Header("Authorization")}"));
        await using var provider = TestConnectors.Services(
            server,
            o => o.MaxErrorDetailLength = "unauthorized caller Bearer s3cr3t".Length,
            s => s.AddSingleton<ICredentialProvider>(new SecretProvider("Bearer " + token)));

        var result = await TestConnectors.Erp(provider).ChangeStockCategoryAsync(TestConnectors.Block(), Ct);

        result.Message.Should().Contain("unauthorized caller").And.NotContain("s3cr3t");
    }

    [Theory(Timeout = LoopbackServer.TestTimeout)]
    [InlineData(".")]
    [InlineData("..")]
    public async Task GetStockAsync_LotIsADotSegment_IsRefusedWithoutLeavingTheEndpointsPath(string lot)
    {
        await using var server = LoopbackServer.Always(ScriptedResponse.Of(200, "{}"));
        await using var provider = TestConnectors.Services(server);

        var act = async () => await TestConnectors.Erp(provider).GetStockAsync(new LotId(lot), Ct);

        (await act.Should().ThrowAsync<AdapterPermanentException>()).Which.Message.Should().Contain($"'{lot}'").And.Contain("'lot'").And.Contain("path segment");
        server.Hits.Should().Be(0, "'lots/../stock' would be sent as 'stock', another resource of the target system");
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task ChangeStockCategoryAsync_LotIsADotSegment_IsPermanentWithoutCalling()
    {
        await using var server = LoopbackServer.Always(ScriptedResponse.Of(200));
        await using var provider = TestConnectors.Services(server);

        var result = await TestConnectors.Erp(provider).ChangeStockCategoryAsync(TestConnectors.Block(lot: ".."), Ct);

        result.Status.Should().Be(AdapterResultStatus.PermanentFailure);
        result.Reason.Should().Be(ReasonCodes.AdapterPermanent);
        result.Message.Should().Contain("'..'").And.Contain("'lot'").And.Contain("path segment");
        server.Hits.Should().Be(0);
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task ChangeStockCategoryAsync_AnswerIsARedirect_IsPermanentAndTheRedirectIsNotFollowed()
    {
        await using var server = LoopbackServer.Start((request, _) => request.Path.EndsWith("/moved", StringComparison.Ordinal)
            ? ScriptedResponse.Of(200)
            : new ScriptedResponse { Status = 302, Headers = { ["Location"] = "/api/v1/moved" } });
        await using var provider = TestConnectors.Services(server);

        var result = await TestConnectors.Erp(provider).ChangeStockCategoryAsync(TestConnectors.Block(), Ct);

        result.Status.Should().Be(AdapterResultStatus.PermanentFailure, "a followed 302 turns the POST into a GET without its body, whose 200 would claim a command that was never applied");
        result.Message.Should().Contain("302");
        server.Requests.Select(r => r.Method + " " + r.Path).Should().Equal("POST /api/v1/lots/LOT-1/stock-category");
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task ChangeStockCategoryAsync_ErrorBodyFarLargerThanItsDetail_ReadsOnlyItsStartAndQuotesTheCut()
    {
        var rest = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = LoopbackServer.Always(new ScriptedResponse
        {
            Status = 400,
            ContentType = "text/plain",
            ContentLength = 64L * 1024 * 1024,
            WriteBody = async body =>
            {
                // The start of a huge body; the rest never comes while the connector is reading.
                await body.WriteAsync(new byte[256 * 1024].Select(_ => (byte)'x').ToArray());
                await body.FlushAsync();
                await rest.Task;
            },
        });
        await using var provider = TestConnectors.Services(server);
        try
        {
            var result = await TestConnectors.Erp(provider).ChangeStockCategoryAsync(TestConnectors.Block(), Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(30), Ct);

            result.Status.Should().Be(AdapterResultStatus.PermanentFailure);
            result.Message.Should().EndWith(": " + new string('x', 256) + "…", "the detail is cut from the start of the body, without waiting for the rest");
        }
        finally
        {
            rest.TrySetResult();
        }
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task GetMaterialAsync_AnswerStallsAfterItsHeaders_ThrowsTransientWithinTheAttemptTimeout()
    {
        var rest = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = LoopbackServer.Always(Stalling(200, """{"id":"MAT-1","desc""", rest.Task));
        await using var provider = TestConnectors.Services(server);
        try
        {
            var act = async () => await TestConnectors.Erp(provider).GetMaterialAsync(new MaterialId("MAT-1"), Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(30), Ct);

            var thrown = (await act.Should().ThrowAsync<HttpConnectorException>("the rest of the body never comes: the attempt timeout (2 s) ends the read")).Which;
            thrown.ReasonCode.Should().Be(ReasonCodes.AdapterTransient);
            thrown.Message.Should().Contain("'erp.get-material' timed out");
        }
        finally
        {
            rest.TrySetResult();
        }
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task GetMaterialAsync_CallerCancelsWhileTheAnswerStalls_ThrowsCancellation()
    {
        var rest = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var headersSent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = LoopbackServer.Always(Stalling(200, """{"id":"MAT-1","desc""", rest.Task, headersSent));
        await using var provider = TestConnectors.Services(server, o =>
        {
            // Far longer than the test takes to cancel: the caller's cancellation comes first however loaded the machine is.
            o.Resilience.AttemptTimeout.Timeout = TimeSpan.FromSeconds(50);
            o.Resilience.TotalRequestTimeout.Timeout = TimeSpan.FromSeconds(100);
            o.Resilience.CircuitBreaker.SamplingDuration = TimeSpan.FromSeconds(100);
        });
        using var caller = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        try
        {
            var call = TestConnectors.Erp(provider).GetMaterialAsync(new MaterialId("MAT-1"), caller.Token).AsTask();
            await headersSent.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
            await caller.CancelAsync();

            var act = () => call.WaitAsync(TimeSpan.FromSeconds(30), Ct);

            await act.Should().ThrowAsync<OperationCanceledException>("the caller's own cancellation is not a failure of the target system");
        }
        finally
        {
            rest.TrySetResult();
        }
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task ChangeStockCategoryAsync_SuccessBodyStallsAfterItsHeaders_IsSucceededWithoutReferenceWithinTheAttemptTimeout()
    {
        var rest = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = LoopbackServer.Always(Stalling(201, """{"documentNumber":"49""", rest.Task));
        await using var provider = TestConnectors.Services(server);
        try
        {
            var result = await TestConnectors.Erp(provider).ChangeStockCategoryAsync(TestConnectors.Block(), Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(30), Ct);

            result.Status.Should().Be(AdapterResultStatus.Succeeded, "the status says the command was applied; only its reference did not arrive in time");
            result.ExternalReference.Should().BeNull();
            server.Hits.Should().Be(1);
        }
        finally
        {
            rest.TrySetResult();
        }
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task ChangeStockCategoryAsync_ErrorBodyStallsAfterItsHeaders_IsClassifiedByItsStatusWithinTheAttemptTimeout()
    {
        var rest = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = LoopbackServer.Always(Stalling(422, """{"detail":"lot is""", rest.Task));
        await using var provider = TestConnectors.Services(server);
        try
        {
            var result = await TestConnectors.Erp(provider).ChangeStockCategoryAsync(TestConnectors.Block(), Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(30), Ct);

            result.Status.Should().Be(AdapterResultStatus.PermanentFailure);
            result.Message.Should().Contain("422").And.NotContain("lot is", "a detail that did not arrive in time is not quoted");
            server.Hits.Should().Be(1);
        }
        finally
        {
            rest.TrySetResult();
        }
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task ChangeStockCategoryAsync_SuccessBodyLargerThanTheLimit_IsSucceededWithoutReference()
    {
        await using var server = LoopbackServer.Always(ScriptedResponse.Of(201, $$"""{"documentNumber":"49","lines":"{{new string('x', 4000)}}"}"""));
        await using var provider = TestConnectors.Services(server, o => o.MaxResponseBodyBytes = 1024);

        var result = await TestConnectors.Erp(provider).ChangeStockCategoryAsync(TestConnectors.Block(), Ct);

        result.Status.Should().Be(AdapterResultStatus.Succeeded, "the target system applied the command; only its reference is not read");
        result.ExternalReference.Should().BeNull("the body is larger than the connector reads");
        server.Hits.Should().Be(1);
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task GetMaterialAsync_AnswerLargerThanTheLimit_ThrowsPermanentNamingTheLimit()
    {
        await using var server = LoopbackServer.Always(ScriptedResponse.Of(200, $$"""{"id":"MAT-1","description":"{{new string('x', 4000)}}"}"""));
        await using var provider = TestConnectors.Services(server, o => o.MaxResponseBodyBytes = 1024);

        var act = async () => await TestConnectors.Erp(provider).GetMaterialAsync(new MaterialId("MAT-1"), Ct);

        (await act.Should().ThrowAsync<AdapterPermanentException>()).Which.Message.Should().Contain("'erp.get-material' is larger than 1024 bytes");
        server.Hits.Should().Be(1, "a body too large stays too large: no retry");
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task ChangeStockCategoryAsync_SuccessWhoseReferenceIsNotUtf8_IsSucceededWithoutReference()
    {
        await using var server = LoopbackServer.Always(new ScriptedResponse { Status = 201, BodyBytes = [.. """{"documentNumber":"49"""u8, 0xFF, 0xFE, .. "\"}"u8] });
        await using var provider = TestConnectors.Services(server);

        var result = await TestConnectors.Erp(provider).ChangeStockCategoryAsync(TestConnectors.Block(), Ct);

        result.Status.Should().Be(AdapterResultStatus.Succeeded, "the target system applied the command; only its reference is unreadable");
        result.ExternalReference.Should().BeNull();
        server.Hits.Should().Be(1);
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task ChangeStockCategoryAsync_UnauthorizedWhileTheCredentialWasRenewed_IsSentOnceMoreWithTheRenewedOne()
    {
        var credentials = new RenewingProvider("Bearer expired-0001", "Bearer renewed-0002");
        await using var server = LoopbackServer.Start((request, _) =>
            request.Header("Authorization") == "Bearer renewed-0002" ? ScriptedResponse.Of(201, """{"documentNumber":"4900000009"}""") : ScriptedResponse.Of(401));
        await using var provider = TestConnectors.Services(server, services: s => s.AddSingleton<ICredentialProvider>(credentials));

        var result = await TestConnectors.Erp(provider).ChangeStockCategoryAsync(TestConnectors.Block(), Ct);

        result.Status.Should().Be(AdapterResultStatus.Succeeded, "a token that expired in flight is no reason to fail the command for good");
        result.ExternalReference.Should().Be("4900000009");
        server.Requests.Select(r => r.Header("Authorization")).Should().Equal("Bearer expired-0001", "Bearer renewed-0002");
        server.Requests.Select(r => r.Header("Idempotency-Key")).Should().AllBe("idem-1");
        server.Requests[1].Body.Should().Be(server.Requests[0].Body);
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task ChangeStockCategoryAsync_RenewedCredentialRefusedToo_IsPermanentAfterOneMoreCallAndQuotesNeither()
    {
        var credentials = new RenewingProvider("Bearer first-token-0001", "Bearer second-token-0002", "Bearer third-token-0003");
        await using var server = LoopbackServer.Start((request, _) => ScriptedResponse.Of(401, $$"""{"detail":"refused {{request.Header("Authorization")}} after {{request.Header("Authorization")}}"}"""));
        await using var provider = TestConnectors.Services(server, services: s => s.AddSingleton<ICredentialProvider>(credentials));

        var result = await TestConnectors.Erp(provider).ChangeStockCategoryAsync(TestConnectors.Block(), Ct);

        result.Status.Should().Be(AdapterResultStatus.PermanentFailure);
        result.Message.Should().Contain("401").And.NotContain("token-000");
        server.Hits.Should().Be(2, "the credential is renewed once per call, never in a loop");
        credentials.Calls.Should().Be(2);
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task ChangeStockCategoryAsync_UnauthorizedAndTheProviderGivesTheSameCredential_IsPermanentWithoutAnotherCall()
    {
        var credentials = new SecretProvider("Bearer fixed-0001");
        await using var server = LoopbackServer.Always(ScriptedResponse.Of(401));
        await using var provider = TestConnectors.Services(server, services: s => s.AddSingleton<ICredentialProvider>(credentials));

        var result = await TestConnectors.Erp(provider).ChangeStockCategoryAsync(TestConnectors.Block(), Ct);

        result.Status.Should().Be(AdapterResultStatus.PermanentFailure);
        server.Hits.Should().Be(1);
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task GetLotAsync_UnauthorizedWhileTheCredentialWasRenewed_AsksOnceMoreWithTheRenewedOne()
    {
        var credentials = new RenewingProvider("key-expired", "key-renewed");
        await using var server = LoopbackServer.Start((request, _) =>
            request.Header("X-Api-Key") == "key-renewed" ? ScriptedResponse.Of(404) : ScriptedResponse.Of(401));
        await using var provider = TestConnectors.Services(server, o => o.CredentialHeader = "X-Api-Key", s => s.AddSingleton<ICredentialProvider>(credentials));

        var found = await TestConnectors.Erp(provider).GetLotAsync(new LotId("LOT-1"), Ct);

        found.Should().BeNull();
        server.Requests.Select(r => r.Header("X-Api-Key")).Should().Equal("key-expired", "key-renewed");
    }

    /// <summary>
    /// An answer whose headers and first bytes come at once and whose rest does not come until <paramref name="rest"/>
    /// completes (at the end of the test): a target system that stops sending part-way through its body.
    /// </summary>
    private static ScriptedResponse Stalling(int status, string start, Task rest, TaskCompletionSource? headersSent = null) => new()
    {
        Status = status,
        ContentLength = 4096,
        WriteBody = async body =>
        {
            await body.WriteAsync(System.Text.Encoding.UTF8.GetBytes(start));
            await body.FlushAsync();
            headersSent?.TrySetResult();
            await rest;
        },
    };

    /// <summary>Gives each credential in turn, then the last one again.</summary>
    private sealed class RenewingProvider(params string[] values) : ICredentialProvider
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public ValueTask<string?> GetCredentialAsync(string connectorName, CancellationToken cancellationToken)
        {
            var call = Interlocked.Increment(ref _calls) - 1;
            return ValueTask.FromResult<string?>(values[Math.Min(call, values.Length - 1)]);
        }
    }

    private sealed class FailingProvider : ICredentialProvider
    {
        public ValueTask<string?> GetCredentialAsync(string connectorName, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("vault-password rejected");
    }
}
