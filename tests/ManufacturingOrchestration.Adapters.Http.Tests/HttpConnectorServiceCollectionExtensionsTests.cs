using ManufacturingOrchestration.Adapters.Http.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ManufacturingOrchestration.Adapters.Http.Tests;

public sealed class HttpConnectorServiceCollectionExtensionsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void AddHttpErpConnector_NullOrEmptyArguments_Throw()
    {
        var services = new ServiceCollection();

        ((Action)(() => HttpConnectorServiceCollectionExtensions.AddHttpErpConnector(null!, "erp", _ => { }))).Should().Throw<ArgumentNullException>();
        ((Action)(() => services.AddHttpErpConnector(" ", _ => { }))).Should().Throw<ArgumentException>();
        ((Action)(() => services.AddHttpErpConnector("erp", (Action<HttpConnectorOptions>)null!))).Should().Throw<ArgumentNullException>();
        ((Action)(() => services.AddHttpConnector<JsonRestErpConnector>("erp", _ => { }, null!))).Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public void AddHttpWmsConnector_ReturnsSameCollection()
    {
        var services = new ServiceCollection();

        services.AddHttpWmsConnector("wms", o => o.BaseAddress = new Uri("http://127.0.0.1:1/")).Should().BeSameAs(services);
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task AddHttpErpConnector_CalledTwice_AddsNoSecondPipeline()
    {
        await using var server = LoopbackServer.Always(ScriptedResponse.Of(503));
        var services = new ServiceCollection();
        void Configure(HttpConnectorOptions o)
        {
            TestConnectors.Fast(o, server.BaseAddress);
            o.Resilience.Retry.MaxRetryAttempts = 1;
        }

        services.AddHttpErpConnector("erp-eu", Configure);
        var clientConfigurations = ClientConfigurations(services);
        services.AddHttpErpConnector("erp-eu", Configure);
        await using var provider = services.BuildServiceProvider();

        var result = await provider.GetRequiredService<JsonRestErpConnector>().ChangeStockCategoryAsync(TestConnectors.Block(), Ct);

        result.IsTransient.Should().BeTrue();
        server.Hits.Should().Be(2, "one pipeline with one retry, not two nested pipelines");
        ClientConfigurations(services).Should().Be(clientConfigurations, "the second call configures no second client or handler");
    }

    private static int ClientConfigurations(IServiceCollection services) =>
        services.Count(d => d.ServiceType == typeof(IConfigureOptions<Microsoft.Extensions.Http.HttpClientFactoryOptions>));

    [Fact]
    public void AddHttpWmsConnector_NameTakenByErp_Throws()
    {
        var services = new ServiceCollection().AddHttpErpConnector("plant-1", _ => { });

        var act = () => services.AddHttpWmsConnector("plant-1", _ => { });

        act.Should().Throw<InvalidOperationException>().WithMessage("*plant-1*JsonRestErpConnector*");
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task AddHttpErpConnector_TwoRegions_EachKeyedConnectorCallsItsOwnSystemAndFirstIsDefault()
    {
        await using var eu = LoopbackServer.Always(ScriptedResponse.Of(200, """{"documentNumber":"EU-1"}"""));
        await using var us = LoopbackServer.Always(ScriptedResponse.Of(200, """{"documentNumber":"US-1"}"""));
        var services = new ServiceCollection()
            .AddHttpErpConnector("erp-eu", o => TestConnectors.Fast(o, eu.BaseAddress))
            .AddHttpErpConnector("erp-us", o => TestConnectors.Fast(o, us.BaseAddress));
        await using var provider = services.BuildServiceProvider();

        var fromEu = await provider.GetRequiredKeyedService<JsonRestErpConnector>("erp-eu").ChangeStockCategoryAsync(TestConnectors.Block(), Ct);
        var fromUs = await provider.GetRequiredKeyedService<JsonRestErpConnector>("erp-us").ChangeStockCategoryAsync(TestConnectors.Block(), Ct);

        fromEu.ExternalReference.Should().Be("EU-1");
        fromUs.ExternalReference.Should().Be("US-1");
        provider.GetRequiredService<JsonRestErpConnector>().Should().BeSameAs(provider.GetRequiredKeyedService<JsonRestErpConnector>("erp-eu"));
        ((HttpConnector)provider.GetRequiredKeyedService<JsonRestErpConnector>("erp-us")).Name.Should().Be("erp-us");
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task AddHttpErpConnector_InvalidOptions_FailAtStartUpValidation()
    {
        var services = new ServiceCollection()
            .AddHttpErpConnector("erp-eu", o => o.Resilience.AttemptTimeout.Timeout = TimeSpan.FromMinutes(1));
        await using var provider = services.BuildServiceProvider();

        var startUp = () => provider.GetRequiredService<IStartupValidator>().Validate();
        var firstUse = () => provider.GetRequiredService<JsonRestErpConnector>();

        startUp.Should().Throw<OptionsValidationException>()
            .Which.Failures.Should().Contain(f => f.Contains("BaseAddress is required", StringComparison.Ordinal))
            .And.Contain(f => f.Contains("Resilience.AttemptTimeout.Timeout must be shorter than Resilience.TotalRequestTimeout.Timeout", StringComparison.Ordinal));
        firstUse.Should().Throw<OptionsValidationException>().Which.OptionsName.Should().Be("erp-eu");
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task AddHttpErpConnector_UserEndpointOverride_SurvivesSecondRegistration()
    {
        await using var server = LoopbackServer.Always(ScriptedResponse.Of(200));
        var services = new ServiceCollection()
            .AddHttpErpConnector("erp-eu", o =>
            {
                TestConnectors.Fast(o, server.BaseAddress);
                o.Endpoints[CommandKinds.ErpChangeStockCategory] = HttpEndpoint.Patch("batches/{lot}");
            })
            .AddHttpErpConnector("erp-eu", _ => { });
        await using var provider = services.BuildServiceProvider();

        await provider.GetRequiredService<JsonRestErpConnector>().ChangeStockCategoryAsync(TestConnectors.Block(), Ct);

        server.Requests.Single().Method.Should().Be("PATCH");
        server.Requests.Single().Path.Should().Be("/api/v1/batches/LOT-1");
    }

    [Fact(Timeout = LoopbackServer.TestTimeout)]
    public async Task AddHttpConnector_CustomAdapter_IsBuiltFromItsContext()
    {
        var services = new ServiceCollection()
            .AddHttpConnector<HttpConnectorContext>("custom", o => o.BaseAddress = new Uri("https://mes.example.com/"), context => context);
        await using var provider = services.BuildServiceProvider();

        var context = provider.GetRequiredKeyedService<HttpConnectorContext>("custom");

        context.Name.Should().Be("custom");
        context.Options.BaseAddress.Should().Be(new Uri("https://mes.example.com/"));
        context.TimeProvider.Should().BeSameAs(TimeProvider.System);
        context.Options.Endpoints.Should().BeEmpty("only the ERP and WMS registrations seed endpoints");
    }
}
