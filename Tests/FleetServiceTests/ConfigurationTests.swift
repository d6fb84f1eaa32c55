import Configuration
import FleetMQTT
import FleetService
import Logging
import PostgresNIO
import Testing

@Suite("Configuration")
struct ConfigurationTests {
    @Test("Defaults apply when nothing is set")
    func defaults() throws {
        let reader = ConfigReader(provider: InMemoryProvider(values: [:]))
        let configuration = try FleetConfiguration(serviceName: "telemetry", reader: reader, defaultHTTPPort: 8081)

        #expect(configuration.http == HTTPServerConfiguration(host: "127.0.0.1", port: 8081, maxBodyBytes: 1_048_576))
        #expect(configuration.postgres == PostgresConfiguration())
        #expect(configuration.postgres.host == "127.0.0.1")
        #expect(configuration.postgres.port == 15432)
        #expect(configuration.postgres.username == "fleet")
        #expect(configuration.postgres.password == "fleet")
        #expect(configuration.postgres.database == "fleet")
        #expect(configuration.postgres.tls == .disable)
        #expect(configuration.mqtt.host == "127.0.0.1")
        #expect(configuration.mqtt.port == 11883)
        #expect(configuration.mqtt.username == nil)
        #expect(configuration.mqtt.password == nil)
        #expect(configuration.mqtt.clientID.hasPrefix("telemetry-"))
        #expect(configuration.log == LogConfiguration(level: .info, format: .json))
    }

    @Test("Environment variable names map to every key")
    func environmentOverrides() throws {
        let provider = EnvironmentVariablesProvider(environmentVariables: [
            "FLEET_HTTP_HOST": "0.0.0.0",
            "FLEET_HTTP_PORT": "9000",
            "FLEET_HTTP_MAX_BODY_BYTES": "2048",
            "FLEET_POSTGRES_HOST": "db.internal",
            "FLEET_POSTGRES_PORT": "5432",
            "FLEET_POSTGRES_USER": "telemetry",
            "FLEET_POSTGRES_PASSWORD": "s3cret",
            "FLEET_POSTGRES_DATABASE": "fleetdb",
            "FLEET_POSTGRES_POOL_SIZE": "4",
            "FLEET_POSTGRES_TLS": "require",
            "FLEET_POSTGRES_CONNECT_TIMEOUT_SECONDS": "3",
            "FLEET_MQTT_HOST": "broker",
            "FLEET_MQTT_PORT": "1883",
            "FLEET_MQTT_USERNAME": "svc",
            "FLEET_MQTT_PASSWORD": "pw",
            "FLEET_MQTT_CLIENT_ID": "telemetry-1",
            "FLEET_MQTT_SESSION_EXPIRY_SECONDS": "300",
            "FLEET_LOG_LEVEL": "debug",
            "FLEET_LOG_FORMAT": "text",
        ])
        let configuration = try FleetConfiguration(serviceName: "telemetry", reader: ConfigReader(provider: provider))

        #expect(configuration.http == HTTPServerConfiguration(host: "0.0.0.0", port: 9000, maxBodyBytes: 2048))
        #expect(
            configuration.postgres
                == PostgresConfiguration(
                    host: "db.internal",
                    port: 5432,
                    username: "telemetry",
                    password: "s3cret",
                    database: "fleetdb",
                    poolSize: 4,
                    tls: .require,
                    connectTimeout: .seconds(3)
                )
        )
        #expect(
            configuration.mqtt
                == MQTTConnectionSettings(
                    host: "broker", port: 1883, username: "svc", password: "pw", clientID: "telemetry-1", sessionExpirySeconds: 300)
        )
        #expect(configuration.mqtt.clientConfiguration(metricsLabel: "test").sessionExpirySeconds == 300)
        #expect(configuration.mqtt.clientConfiguration(cleanStart: true, sessionExpirySeconds: 0, metricsLabel: "test").sessionExpirySeconds == 0)
        #expect(configuration.log == LogConfiguration(level: .debug, format: .text))
        #expect(!configuration.postgres.description.contains("s3cret"))
        #expect(!configuration.mqtt.description.contains("pw"))
    }

    @Test("In-memory values override defaults, unset keys fall back")
    func partialOverride() throws {
        let reader = ConfigReader(provider: InMemoryProvider(values: [
            "fleet.http.port": 7000,
            "fleet.postgres.host": "pg",
            "fleet.log.level": "warning",
        ]))
        let configuration = try FleetConfiguration(serviceName: "alerts", reader: reader)

        #expect(configuration.http.port == 7000)
        #expect(configuration.http.host == "127.0.0.1")
        #expect(configuration.postgres.host == "pg")
        #expect(configuration.postgres.port == 15432)
        #expect(configuration.log.level == .warning)
        #expect(configuration.log.format == .json)
    }

    @Test(
        "Malformed values are rejected with the variable name",
        arguments: [
            ("FLEET_HTTP_PORT", "eighty"),
            ("FLEET_HTTP_PORT", "70000"),
            ("FLEET_POSTGRES_POOL_SIZE", "0"),
            ("FLEET_POSTGRES_TLS", "maybe"),
            ("FLEET_LOG_LEVEL", "verbose"),
            ("FLEET_LOG_FORMAT", "xml"),
            ("FLEET_POSTGRES_HOST", ""),
        ]
    )
    func rejectsMalformed(variable: String, value: String) throws {
        let reader = ConfigReader(provider: EnvironmentVariablesProvider(environmentVariables: [variable: value]))
        let error = #expect(throws: ConfigurationError.self) {
            try FleetConfiguration(serviceName: "svc", reader: reader)
        }
        #expect(error?.environmentVariable == variable)
        #expect(error?.description.contains(variable) == true)
    }

    @Test("Postgres client configuration carries the settings")
    func postgresClientConfiguration() {
        let settings = PostgresConfiguration(host: "db", port: 6543, username: "u", password: "p", database: "d", poolSize: 3)
        let client = settings.clientConfiguration()
        #expect(client.host == "db")
        #expect(client.port == 6543)
        #expect(client.username == "u")
        #expect(client.password == "p")
        #expect(client.database == "d")
        #expect(client.options.maximumConnections == 3)
    }
}
