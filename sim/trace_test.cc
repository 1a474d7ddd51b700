#include "sim/trace.h"

#include <gtest/gtest.h>

#include <sstream>

#include "sim/debug.h"
#include "sim/executor.h"
#include "sim/json_escape.h"

namespace tinykv::sim {
namespace {

TEST(Trace, NumbersEventsAndFingerprintsThem) {
  Trace a, b;
  a.Record(Time(5), EventKind::kSend, 1, "x");
  b.Record(Time(5), EventKind::kSend, 1, "x");
  EXPECT_EQ(a.fingerprint(), b.fingerprint());
  a.Record(Time(6), EventKind::kDeliver, 2, "x");
  b.Record(Time(6), EventKind::kDeliver, 2, "y");
  EXPECT_NE(a.fingerprint(), b.fingerprint());
  EXPECT_EQ(a.event_count(), 2u);
  EXPECT_EQ(FormatEvent(a.events().back()), "#2 0.000000s n2 deliver x");
}

TEST(Trace, TailKeepsOnlyRecentEventsButFingerprintsAll) {
  Trace tail(false, 3), full(true);
  for (int i = 0; i < 10; ++i) {
    tail.Record(Time(i), EventKind::kNote, kNoNode, std::to_string(i));
    full.Record(Time(i), EventKind::kNote, kNoNode, std::to_string(i));
  }
  EXPECT_EQ(tail.events().size(), 3u);
  EXPECT_EQ(tail.events().front().seq, 8u);
  EXPECT_EQ(full.events().size(), 10u);
  EXPECT_EQ(tail.fingerprint(), full.fingerprint());
}

TEST(Trace, ExportsJsonlAndChromeTrace) {
  Trace t(true);
  t.Record(Time(1500), EventKind::kCrash, 3, "node3 \"quoted\"");
  t.Record(Time(2500), EventKind::kNote, kNoNode, "line\nbreak");
  std::ostringstream jsonl, chrome;
  t.WriteJsonl(jsonl);
  t.WriteChromeTrace(chrome);
  EXPECT_EQ(
      jsonl.str(),
      "{\"seq\":1,\"t_ns\":1500,\"kind\":\"crash\",\"node\":3,\"detail\":\"node3 "
      "\\\"quoted\\\"\"}\n"
      "{\"seq\":2,\"t_ns\":2500,\"kind\":\"note\",\"node\":null,\"detail\":\"line\\nbreak\"}\n");
  EXPECT_NE(chrome.str().find("\"traceEvents\":["), std::string::npos);
  EXPECT_NE(chrome.str().find("\"name\":\"crash\",\"ph\":\"i\""), std::string::npos);
  EXPECT_NE(chrome.str().find("\"ts\":1.500"), std::string::npos);
  EXPECT_NE(chrome.str().find("\"args\":{\"name\":\"node 3\"}"), std::string::npos) << chrome.str();
}

// The Chrome / Perfetto export shows the run, not only instants: a packet's send and delivery
// are slices joined by a flow with the packet's id, and a crashed node's track has a "down"
// slice until its restart (or the end of the trace).
TEST(Trace, ChromeTraceHasPacketFlowsAndDownSlices) {
  Trace t(true);
  PacketInfo p;
  p.from = 1;
  p.to = 2;
  p.id = 42;
  p.bytes = 10;
  t.RecordPacket(Time(1000), EventKind::kSend, 1, p);
  t.RecordPacket(Time(3000), EventKind::kDeliver, 2, p);
  t.Record(Time(4000), EventKind::kCrash, 3, "node3");
  t.Record(Time(9000), EventKind::kRestart, 3, "node3");
  t.Record(Time(9500), EventKind::kCrash, 2, "node2");
  t.Record(Time(12000), EventKind::kNote, kNoNode, "end");
  std::ostringstream out;
  t.WriteChromeTrace(out);
  const std::string c = out.str();
  EXPECT_NE(c.find("\"name\":\"send\",\"ph\":\"X\",\"dur\":1,\"pid\":1,\"tid\":2,\"ts\":1.000"),
            std::string::npos)
      << c;
  EXPECT_NE(c.find("\"ph\":\"s\",\"id\":42,\"pid\":1,\"tid\":2,\"ts\":1.000"), std::string::npos)
      << c;
  EXPECT_NE(c.find("\"ph\":\"f\",\"bp\":\"e\",\"id\":42,\"pid\":1,\"tid\":3,\"ts\":3.000"),
            std::string::npos)
      << c;
  EXPECT_NE(
      c.find("{\"name\":\"down\",\"ph\":\"X\",\"pid\":1,\"tid\":4,\"ts\":4.000,\"dur\":5.000}"),
      std::string::npos)
      << "node 3 down from its crash to its restart\n"
      << c;
  EXPECT_NE(
      c.find("{\"name\":\"down\",\"ph\":\"X\",\"pid\":1,\"tid\":3,\"ts\":9.500,\"dur\":2.500}"),
      std::string::npos)
      << "node 2 still down at the end of the trace\n"
      << c;
}

TEST(Trace, TimeFormatAndParse) {
  EXPECT_EQ(FormatTime(Time(1'250'000'000)), "1.250000s");
  Time t;
  ASSERT_TRUE(ParseTime("1.250000s", &t));
  EXPECT_EQ(t, Time(1'250'000'000));
  ASSERT_TRUE(ParseTime("2.5s", &t));
  EXPECT_EQ(t, Time(2'500'000'000));
  ASSERT_TRUE(ParseTime("1500ms", &t));
  EXPECT_EQ(t, Time(1'500'000'000));
  ASSERT_TRUE(ParseTime("17us", &t));
  EXPECT_EQ(t, Time(17'000));
  ASSERT_TRUE(ParseTime("42", &t));
  EXPECT_EQ(t, Time(42));
  for (const char* bad : {"", "s", "1.5", "1.5ms", "abc", "12h", "-3s", "1..2s"}) {
    EXPECT_FALSE(ParseTime(bad, &t)) << bad;
  }
}

TEST(BreakPoints, ParseSpecs) {
  BreakPoints p;
  std::string error;
  ASSERT_TRUE(ParseBreakSpec("event:42", &p, &error));
  ASSERT_TRUE(ParseBreakSpec("time:2.5s", &p, &error));
  ASSERT_TRUE(ParseBreakSpec("on:partition", &p, &error));
  EXPECT_EQ(p.at_events, std::set<uint64_t>{42});
  EXPECT_EQ(p.at_times, std::set<Time>{Time(2'500'000'000)});
  EXPECT_EQ(p.on_kinds.count(EventKind::kPartition), 1u);
  EXPECT_FALSE(ParseBreakSpec("event:0", &p, &error));
  EXPECT_FALSE(ParseBreakSpec("time:soon", &p, &error));
  EXPECT_FALSE(ParseBreakSpec("on:earthquake", &p, &error));
  EXPECT_NE(error.find("unknown event kind 'earthquake'"), std::string::npos) << error;
  EXPECT_FALSE(ParseBreakSpec("whenever", &p, &error));
}

TEST(BreakPoints, InstalledBreakpointsSeeMatchingEvents) {
  Executor ex;
  BreakPoints p;
  std::string error;
  ASSERT_TRUE(ParseBreakSpec("on:crash", &p, &error));
  InstallBreakPoints(ex, p);
  ex.AddNode(1, "n1", [] { Sleep(kForever); });
  // The observer replaced by InstallBreakPoints calls tinykv_sim_break; wrap it to count calls.
  int breaks = 0;
  ex.trace().SetObserver([&breaks, p](const Event& e) {
    if (p.on_kinds.count(e.kind)) ++breaks;
  });
  ex.Run([&] {
    ex.Start(1);
    Sleep(1s);
    ex.Crash(1);
    Sleep(1s);
  });
  EXPECT_EQ(breaks, 1);
}

TEST(JsonEscape, ShortFormsControlsAndHtmlSafety) {
  EXPECT_EQ(JsonEscape("a\"b\\c\n\r\t\x01\x7f"), "a\\\"b\\\\c\\n\\r\\t\\u0001\\u007f");
  EXPECT_EQ(JsonEscape("→ <b>&"), "→ <b>&");  // UTF-8 and markup pass through by default
  EXPECT_EQ(JsonQuote("</script><!--&", /*html_safe=*/true),
            "\"\\u003c/script\\u003e\\u003c!--\\u0026\"");
}

}  // namespace
}  // namespace tinykv::sim
