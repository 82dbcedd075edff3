#include "policies/input_paths.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace bulkhead {
namespace {

using Paths = std::vector<std::string>;

TEST(InputPaths, FileUrls) {
  EXPECT_EQ(extractInputPaths("file:///var/log/audit.log"), Paths{"/var/log/audit.log"});
  EXPECT_EQ(extractInputPaths("file://localhost/var/log/x.json"), Paths{"/var/log/x.json"});
  EXPECT_EQ(extractInputPaths("file:///data/my%20logs/a.log"), Paths{"/data/my logs/a.log"});
  EXPECT_EQ(extractInputPaths("file:///data/a.log?x=1#frag"), Paths{"/data/a.log"});
  EXPECT_EQ(extractInputPaths("file://hostonly"), Paths{});
  EXPECT_EQ(extractInputPaths("file:///bad%2"), Paths{});
  EXPECT_EQ(extractInputPaths("file:///bad%zz"), Paths{});
  EXPECT_EQ(extractInputPaths("file:///nul%00byte"), Paths{});
}

TEST(InputPaths, PlainAbsolutePathsAndTokens) {
  // k8saudit: a file path; cloudtrail: a directory.
  EXPECT_EQ(extractInputPaths("/var/log/k8s/audit.log"), Paths{"/var/log/k8s/audit.log"});
  EXPECT_EQ(extractInputPaths("/data/cloudtrail/"), Paths{"/data/cloudtrail"});
  EXPECT_EQ(extractInputPaths("input=/a/b, other='/c/d'; /e"), (Paths{"/a/b", "/c/d", "/e"}));
  EXPECT_EQ(extractInputPaths("/a/./b/../c /a/c"), Paths{"/a/c"});
}

TEST(InputPaths, NotPaths) {
  EXPECT_EQ(extractInputPaths(""), Paths{});
  EXPECT_EQ(extractInputPaths("relative/path"), Paths{});
  EXPECT_EQ(extractInputPaths("http://0.0.0.0:9765/k8s-audit"), Paths{});
  EXPECT_EQ(extractInputPaths("s3://bucket/prefix/"), Paths{});
  EXPECT_EQ(extractInputPaths("sqs://my-queue"), Paths{});
  EXPECT_EQ(extractInputPaths("/"), Paths{});
  EXPECT_EQ(extractInputPaths("/.."), Paths{});
  EXPECT_EQ(extractInputPaths("file:///"), Paths{});
}

TEST(InputPaths, GlobsGrantTheDirectory) {
  EXPECT_EQ(extractInputPaths("/var/log/audit/*.log"), Paths{"/var/log/audit"});
  EXPECT_EQ(extractInputPaths("/var/log/*/audit.log"), Paths{"/var/log"});
  EXPECT_EQ(extractInputPaths("/*.log"), Paths{});
}

TEST(InputPaths, JsonStringValues) {
  const char* config = R"({
    "sslCertificate": "/etc/falco/falco.pem",
    "nested": {"files": ["file:///logs/a.json", "/logs/b.json", 3, true, null]},
    "webhook": "http://0.0.0.0:9765",
    "args": "--input /srv/in.log --verbose",
    "name with space": "/data/my dir/file"
  })";
  EXPECT_EQ(extractInputPaths(config), (Paths{"/etc/falco/falco.pem", "/logs/a.json",
                                              "/logs/b.json", "/srv/in.log", "/data/my dir/file"}));
  EXPECT_EQ(extractInputPaths(R"("/just/a/string")"), Paths{"/just/a/string"});
}

TEST(InputPaths, MergesTextsWithoutDuplicates) {
  EXPECT_EQ(extractInputPathsFrom({"/a /b", R"({"x": "/b", "y": "/c"})"}),
            (Paths{"/a", "/b", "/c"}));
}

TEST(InputPaths, HostileInputDoesNotCrash) {
  std::string deep(100000, '[');
  EXPECT_EQ(extractInputPaths(deep), Paths{});
  std::string longPath = "/" + std::string(10000, 'a');
  EXPECT_EQ(extractInputPaths(longPath), Paths{});
  std::string many;
  for (int i = 0; i < 2000; ++i) many += "/p" + std::to_string(i % 10) + " ";
  EXPECT_EQ(extractInputPaths(many).size(), 10u);
  std::string binary("\0/a\xff\xfe/b", 8);
  EXPECT_NO_THROW(extractInputPaths(binary));
  EXPECT_EQ(extractInputPaths("%%%file://%"), Paths{});
}

}  // namespace
}  // namespace bulkhead
