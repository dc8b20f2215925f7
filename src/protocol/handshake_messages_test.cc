// Copyright 2026 The Cerumbra Authors.

#include "protocol/handshake_messages.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crypto/base64.h"
#include "protocol/quote.h"

namespace cerumbra::protocol {
namespace {

using crypto::internal::Base64UrlEncode;

AttestRequest SampleRequest() {
  AttestRequest request;
  for (size_t i = 0; i < kNonceSize; ++i) request.nonce[i] = i;
  request.client_public_key.fill(0xab);
  request.client_public_key[0] = 0x04;
  return request;
}

AttestResponse SampleResponse() {
  AttestResponse response;
  response.quote = std::vector<uint8_t>(300, 0x51);
  response.signature = std::vector<uint8_t>(kSignatureSize, 0x52);
  response.certificate_chain = {{0x30, 0x01, 0x02}, {0x30, 0x03}};
  response.evidence = {};
  return response;
}

std::string Nonce64() { return Base64UrlEncode(SampleRequest().nonce); }
std::string Key64() {
  return Base64UrlEncode(SampleRequest().client_public_key);
}

// RequestWith builds attest_request text from raw member text.
std::string RequestWith(const std::string& members) {
  return "{" + members + "}";
}

std::string GoodMembers() {
  return R"("type":"attest_request","version":1,"nonce":")" + Nonce64() +
         R"(","client_public_key":")" + Key64() + "\"";
}

StatusCode RequestCode(const std::string& text) {
  return ParseAttestRequest(text).status().code();
}

TEST(AttestRequestTest, SerializesCanonically) {
  EXPECT_EQ(SerializeAttestRequest(SampleRequest()),
            RequestWith(GoodMembers()));
}

TEST(AttestRequestTest, ParseRoundTrips) {
  const Result<AttestRequest> parsed =
      ParseAttestRequest(SerializeAttestRequest(SampleRequest()));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(*parsed, SampleRequest());
}

TEST(AttestRequestTest, ParseAcceptsAnyMemberOrderAndWhitespace) {
  const std::string text =
      " {\n \"client_public_key\" : \"" + Key64() + "\",\t\"nonce\":\"" +
      Nonce64() + "\", \"version\" : 1 , \"type\":\"attest_request\"}\n";
  const Result<AttestRequest> parsed = ParseAttestRequest(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(*parsed, SampleRequest());
}

TEST(AttestRequestTest, ParseRejectsADuplicateMember) {
  EXPECT_EQ(RequestCode(RequestWith(GoodMembers() + R"(,"nonce":")" +
                                    Nonce64() + "\"")),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(RequestCode(RequestWith(GoodMembers() + R"(,"version":1)")),
            StatusCode::kInvalidArgument);
}

TEST(AttestRequestTest, ParseRejectsMissingAndExtraMembers) {
  EXPECT_EQ(RequestCode(
                RequestWith(R"("type":"attest_request","version":1,"nonce":")" +
                            Nonce64() + "\"")),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(RequestCode(RequestWith(GoodMembers() + R"(,"extra":0)")),
            StatusCode::kInvalidArgument);
}

TEST(AttestRequestTest, ParseRejectsAnotherType) {
  std::string text = SerializeAttestRequest(SampleRequest());
  text.replace(text.find("attest_request"), 14, "attest_respons");
  EXPECT_EQ(RequestCode(text), StatusCode::kInvalidArgument);
}

TEST(AttestRequestTest, ParseRejectsAVersionThatIsNotAnInteger) {
  for (const char* version : {"\"1\"", "1.0", "1e0", "true", "null", "[1]"}) {
    std::string text = SerializeAttestRequest(SampleRequest());
    text.replace(text.find("\"version\":1") + 10, 1, version);
    EXPECT_EQ(RequestCode(text), StatusCode::kInvalidArgument) << version;
  }
}

TEST(AttestRequestTest, AnotherIntegerVersionIsUnsupportedVersion) {
  for (const char* version : {"2", "0", "-1", "18446744073709551615"}) {
    std::string text = SerializeAttestRequest(SampleRequest());
    text.replace(text.find("\"version\":1") + 10, 1, version);
    EXPECT_EQ(RequestCode(text), StatusCode::kFailedPrecondition) << version;
  }
  // Whatever the other members of that version look like.
  EXPECT_EQ(RequestCode(R"({"type":"attest_request","version":2,)"
                        R"("hello":{"a":[1,{"b":null}]}})"),
            StatusCode::kFailedPrecondition);
}

TEST(AttestRequestTest, ParseRejectsNonCanonicalBase64) {
  // 32 bytes are 43 characters; the last one carries 4 bits and 2 spare
  // bits, which must be zero: byte 0x1f ends in "8" (111100), "9" sets one.
  const std::string nonce = Nonce64();
  ASSERT_EQ(nonce.back(), '8');
  std::vector<std::string> bad = {
      nonce + "=",                // padding
      nonce.substr(0, 42) + "+",  // standard alphabet
      nonce.substr(0, 42) + "9",  // non-zero spare bits
      nonce.substr(0, 42),        // 31 bytes
      nonce + "AA",               // 33 bytes
      " " + nonce,                // whitespace
  };
  for (const std::string& value : bad) {
    const std::string text =
        RequestWith(R"("type":"attest_request","version":1,"nonce":")" + value +
                    R"(","client_public_key":")" + Key64() + "\"");
    EXPECT_EQ(RequestCode(text), StatusCode::kInvalidArgument) << value;
  }
}

TEST(AttestRequestTest, ParseRejectsAWrongKeySize) {
  const std::vector<uint8_t> short_key(64, 4);
  const std::string text = RequestWith(
      R"("type":"attest_request","version":1,"nonce":")" + Nonce64() +
      R"(","client_public_key":")" + Base64UrlEncode(short_key) + "\"");
  EXPECT_EQ(RequestCode(text), StatusCode::kInvalidArgument);
}

TEST(AttestRequestTest, ParseRejectsOversizeText) {
  std::string text = SerializeAttestRequest(SampleRequest());
  text.insert(text.size() - 1, 1024 - text.size() + 1, ' ');
  ASSERT_EQ(text.size(), 1025u);
  EXPECT_EQ(RequestCode(text), StatusCode::kInvalidArgument);
  text.erase(text.size() - 2, 1);
  EXPECT_TRUE(ParseAttestRequest(text).ok());
  EXPECT_FALSE(ParseAttestRequest(text, 1000).ok());
}

TEST(AttestRequestTest, ParseRejectsWhatIsNotOneJsonObject) {
  const std::string good = SerializeAttestRequest(SampleRequest());
  for (const std::string& text :
       {good + "x", good + "{}", "[" + good + "]", std::string("\"text\""),
        std::string(""), good.substr(0, good.size() - 1), "/*c*/" + good,
        good.substr(0, good.size() - 1) + ",}",
        std::string("{\"type\":\"attest_request\",\"version\":1,") +
            "\"nonce\":\"\xff\"}"}) {
    EXPECT_EQ(RequestCode(text), StatusCode::kInvalidArgument) << text;
  }
}

TEST(AttestResponseTest, SerializesCanonicallyAndRoundTrips) {
  const AttestResponse response = SampleResponse();
  const std::string text = *SerializeAttestResponse(response);
  EXPECT_EQ(text, R"({"type":"attest_response","version":1,"quote":")" +
                      Base64UrlEncode(response.quote) + R"(","signature":")" +
                      Base64UrlEncode(response.signature) +
                      R"(","certificate_chain":["MAEC","MAM"],"evidence":""})");
  const Result<AttestResponse> parsed = ParseAttestResponse(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(*parsed, response);
}

TEST(AttestResponseTest, ParseRejectsAnotherVersion) {
  std::string text = *SerializeAttestResponse(SampleResponse());
  text.replace(text.find("\"version\":1") + 10, 1, "2");
  EXPECT_EQ(ParseAttestResponse(text).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(AttestResponseTest, SerializeAndParseRejectBadFields) {
  const auto rejected = [](const AttestResponse& response) {
    // Serialize refuses; and text built around the rule parses to an error.
    return !SerializeAttestResponse(response).ok();
  };
  AttestResponse response = SampleResponse();
  response.signature.pop_back();
  EXPECT_TRUE(rejected(response));
  response = SampleResponse();
  response.certificate_chain.clear();
  EXPECT_TRUE(rejected(response));
  response.certificate_chain = std::vector<std::vector<uint8_t>>(9, {0x30});
  EXPECT_TRUE(rejected(response));
  response.certificate_chain = {{}};
  EXPECT_TRUE(rejected(response));
  response = SampleResponse();
  response.quote.clear();
  EXPECT_TRUE(rejected(response));
  response.quote = std::vector<uint8_t>(kMaxQuoteSize + 1, 1);
  EXPECT_TRUE(rejected(response));

  const std::string good = *SerializeAttestResponse(SampleResponse());
  for (const auto& [from, to] :
       std::vector<std::pair<std::string, std::string>>{
           {R"(["MAEC","MAM"])", "[]"},
           {R"(["MAEC","MAM"])", R"(["MAEC",1])"},
           {R"(["MAEC","MAM"])", R"(["MAEC",""])"},
           {R"(["MAEC","MAM"])", R"("MAEC")"},
           {R"("evidence":"")", R"("evidence":null)"},
           {R"("evidence":"")", R"("evidence":"A")"},
           {R"("attest_response")", R"("attest_request")"},
       }) {
    std::string text = good;
    text.replace(text.find(from), from.size(), to);
    EXPECT_EQ(ParseAttestResponse(text).status().code(),
              StatusCode::kInvalidArgument)
        << text;
  }
}

TEST(AttestResponseTest, ParseHonoursTheSizeLimit) {
  const std::string text = *SerializeAttestResponse(SampleResponse());
  EXPECT_TRUE(ParseAttestResponse(text, text.size()).ok());
  EXPECT_FALSE(ParseAttestResponse(text, text.size() - 1).ok());
}

TEST(ErrorMessageTest, SerializesTheTwoMessagesOfTheSpec) {
  EXPECT_EQ(SerializeErrorMessage(ErrorCode::kSessionFailed),
            R"({"type":"error","error":"session_failed"})");
  EXPECT_EQ(SerializeErrorMessage(ErrorCode::kUnsupportedVersion),
            R"({"type":"error","error":"unsupported_version",)"
            R"("supported_versions":[1]})");
}

TEST(ErrorMessageTest, ParseRoundTrips) {
  Result<ErrorMessage> parsed =
      ParseErrorMessage(SerializeErrorMessage(ErrorCode::kSessionFailed));
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->code, ErrorCode::kSessionFailed);
  parsed =
      ParseErrorMessage(SerializeErrorMessage(ErrorCode::kUnsupportedVersion));
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->code, ErrorCode::kUnsupportedVersion);
  EXPECT_EQ(parsed->supported_versions, std::vector<uint16_t>{1});
}

TEST(ErrorMessageTest, ParseRejectsDeviations) {
  for (
      const char* text : {
          R"({"type":"error","error":"other"})",
          R"({"type":"error","error":"session_failed","supported_versions":[1]})",
          R"({"type":"error","error":"unsupported_version"})",
          R"({"type":"error","error":"unsupported_version","supported_versions":[]})",
          R"({"type":"error","error":"unsupported_version","supported_versions":[0]})",
          R"({"type":"error","error":"unsupported_version","supported_versions":[65536]})",
          R"({"type":"error","error":"unsupported_version","supported_versions":["1"]})",
          R"({"type":"error"})",
          R"({"type":"error","error":"session_failed","error":"session_failed"})",
      }) {
    EXPECT_FALSE(ParseErrorMessage(text).ok()) << text;
  }
}

TEST(PeekMessageTypeTest, NamesTheThreeMessages) {
  EXPECT_EQ(*PeekMessageType(SerializeAttestRequest(SampleRequest())),
            MessageType::kAttestRequest);
  EXPECT_EQ(*PeekMessageType(*SerializeAttestResponse(SampleResponse())),
            MessageType::kAttestResponse);
  EXPECT_EQ(*PeekMessageType(SerializeErrorMessage(ErrorCode::kSessionFailed)),
            MessageType::kError);
}

TEST(PeekMessageTypeTest, RejectsUnknownOrMissingTypes) {
  for (const char* text :
       {R"({"type":"hello"})", R"({"type":1})", R"({})",
        R"({"type":"error","type":"error"})", "[]", "", "{"}) {
    EXPECT_FALSE(PeekMessageType(text).ok()) << text;
  }
}

}  // namespace
}  // namespace cerumbra::protocol
