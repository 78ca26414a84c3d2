// Shared folders without a host: the profile's forms and refusals at their
// file:line:col, QEMU's side (a shared RAM backend, the vhost-user socket and
// device) and the virtiofsd command each folder gets.

#include <doctest/doctest.h>

#include <algorithm>

#include "plan/qemu_argv.h"
#include "plan/virtiofsd_argv.h"
#include "profile_fixture.h"
#include "text_has.h"

using namespace vmrun;
using vmrun::testing::run_pipeline;

TEST_CASE("shared folders: a path or a mapping; the tag defaults to the folder's name; relative paths are beside the profile") {
    auto p = run_pipeline("name: t\nmemory: 1G\nshared_folders:\n  - /srv/share/\n  - {path: isos, tag: media, readonly: true}\n");
    REQUIRE(p.errors().empty());
    const auto& f = p.loaded.profile.shared_folders;
    REQUIRE(f.size() == 2);
    CHECK(f[0].path == "/srv/share/");
    CHECK(f[0].tag == "share");
    CHECK_FALSE(f[0].readonly);
    CHECK(f[1].path == "/vm/isos");
    CHECK(f[1].tag == "media");
    CHECK(f[1].readonly);
}

TEST_CASE("shared folders: bad items are refused where they stand, with what would work") {
    struct Case {
        std::string yaml;
        std::string error;
    };
    std::vector<Case> cases = {
        {"shared_folders:\n  - {tag: x}\n", "bad.yaml:4:5: a shared folder needs 'path': the host folder, like /srv/share"},
        {"shared_folders:\n  - {path: /srv/a, tag: \"a b\"}\n",
         "bad.yaml:4:25: 'tag' is what the guest mounts: letters, digits, '-', '_' and '.', at most 36, got 'a b'"},
        {"shared_folders:\n  - {path: /srv/a, tag: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa}\n",
         "bad.yaml:4:25: 'tag' is what the guest mounts: letters, digits, '-', '_' and '.', at most 36, got "
         "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'"},
        {"shared_folders:\n  - /\n",
         "bad.yaml:4:5: the folder's name '' is no virtiofs tag (letters, digits, '-', '_' and '.', at most 36): give one, like "
         "{path: /, tag: share}"},
        {"shared_folders:\n  - /srv/a/share\n  - /srv/b/share\n",
         "bad.yaml:5:5: the tag 'share' is also the tag of the folder at line 4; give each shared folder a tag of its own"},
        {"shared_folders:\n  - {path: /srv/a, readonly: maybe}\n", "bad.yaml:4:30: 'readonly' must be true or false, got 'maybe'"},
        {"shared_folders: /srv/a\n", "bad.yaml:3:17: 'shared_folders' must be a list (items start with '- '), got '/srv/a'"},
    };
    for (const auto& c : cases) {
        INFO(c.yaml);
        auto errors = run_pipeline("name: t\nmemory: 1G\n" + c.yaml).errors();
        REQUIRE(errors.size() == 1);
        CHECK(errors[0] == c.error);
    }
}

TEST_CASE("shared folders: QEMU gets shared RAM, a vhost-user socket and a vhost-user-fs device per folder") {
    auto p = run_pipeline("name: t\nmemory: 1G\nshared_folders:\n  - /srv/share\n  - {path: /srv/isos, readonly: true}\n");
    REQUIRE(p.errors().empty());
    auto argv = build_qemu_argv(*p.planned.plan);
    CHECK(has_arg(argv, "memory-backend-memfd,id=ram,size=1024M,share=on"));
    CHECK(std::find_if(argv.begin(), argv.end(), [](const std::string& a) { return has(a, "memory-backend=ram"); }) != argv.end());
    CHECK(has_arg(argv, "socket,id=vmrun-fs0-sock,path=/run/vmrun/t/virtiofs0.sock"));
    CHECK(has_arg(argv, "socket,id=vmrun-fs1-sock,path=/run/vmrun/t/virtiofs1.sock"));
    auto device = std::find_if(argv.begin(), argv.end(), [](const std::string& a) { return a.rfind("vhost-user-fs-pci,", 0) == 0; });
    REQUIRE(device != argv.end());
    CHECK(has(*device, "id=vmrun-fs0,chardev=vmrun-fs0-sock,tag=share,bus=pcie.0,addr="));

    auto plain = build_qemu_argv(*run_pipeline("name: t\nmemory: 1G\n").planned.plan);
    CHECK(std::none_of(plain.begin(), plain.end(), [](const std::string& a) { return has(a, "memory-backend"); }));
}

TEST_CASE("shared folders: with huge pages, their backend is the one shared") {
    auto p = run_pipeline("name: t\nmemory: 1G\nhugepages: /dev/hugepages\nshared_folders: [/srv/share]\n");
    REQUIRE(p.errors().empty());
    auto argv = build_qemu_argv(*p.planned.plan);
    auto backend = std::find_if(argv.begin(), argv.end(), [](const std::string& a) { return a.rfind("memory-backend-file,id=ram", 0) == 0; });
    REQUIRE(backend != argv.end());
    CHECK(has(*backend, "share=on"));
    CHECK(std::none_of(argv.begin(), argv.end(), [](const std::string& a) { return has(a, "memory-backend-memfd"); }));
}

TEST_CASE("shared folders: virtiofsd serves vmrun's socket and exports the view vmrun mounts; by hand, the folder itself") {
    auto p = run_pipeline("name: t\nmemory: 1G\nshared_folders:\n  - {path: \"/srv/a,b\", tag: ab}\n");
    REQUIRE(p.errors().empty());
    const auto& folder = p.planned.plan->shared_folders.at(0);
    CHECK(build_virtiofsd_argv(folder, "/usr/lib/qemu/virtiofsd", 7) ==
          std::vector<std::string>{"/usr/lib/qemu/virtiofsd", "--fd=7", "-o", "source=/run/vmrun/t/virtiofs0.root", "-o", "cache=auto"});
    CHECK(build_virtiofsd_argv(folder, "/usr/libexec/virtiofsd") ==
          std::vector<std::string>{"/usr/libexec/virtiofsd", "--socket-path=/run/vmrun/t/virtiofs0.sock", "-o", "source=/srv/a,b", "-o",
                                   "cache=auto"});
}
