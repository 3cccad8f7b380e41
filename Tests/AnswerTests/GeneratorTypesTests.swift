import Answer
import Testing

@Suite struct GeneratorTypesTests {
    @Test func errorsDescribeTheProviderWithoutSecrets() {
        let error = GenerationError.rejected(provider: "openai", status: 401, reason: "invalid API key")
        #expect(error.description == "openai refused the request (401): invalid API key")
    }
}
