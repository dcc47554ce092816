#pragma once
// An SVG line chart for the HTML reports (html_report, compare_report): time on x, one unit on
// y, shaded phase bands, dashed markers, a legend. Text in, text out; labels are passed already
// escaped for HTML.

#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace levee::load {

constexpr int chart_width = 1000;
constexpr int chart_height = 260;
constexpr int margin_left = 60;
constexpr int margin_bottom = 30;
constexpr int marker_row_height = 18;  // one 12 px label and its spacing

class Chart {
 public:
  Chart(double t_max, double y_max, std::string y_unit) : t_max_(std::max(t_max, 1.0)), y_max_(std::max(y_max, 1.0)), unit_(std::move(y_unit)) {}

  double x(double t) const { return margin_left + (chart_width - margin_left - 10) * t / t_max_; }
  double y(double v) const { return (chart_height - margin_bottom) * (1 - std::min(v, y_max_) / y_max_) + 5; }

  void band(double from, double to, std::string_view label, std::string_view fill) {
    body_ += fmt::format(R"(<rect x="{:.1f}" y="5" width="{:.1f}" height="{}" fill="{}"/>)"
                         R"(<text x="{:.1f}" y="18" class="band">{}</text>)",
                         x(from), x(to) - x(from), chart_height - margin_bottom, fill, x(from) + 3, label);
  }
  void line(const std::vector<std::pair<double, double>>& xy, std::string_view color, std::string_view name) {
    std::string path;
    for (const auto& [t, v] : xy) path += fmt::format("{}{:.1f},{:.1f}", path.empty() ? "M" : " L", x(t), y(v));
    body_ += fmt::format(R"(<path d="{}" fill="none" stroke="{}" stroke-width="2"><title>{}</title></path>)", path, color, name);
    legend_ += fmt::format(R"(<span style="color:{}">&#9632; {}</span> )", color, name);
  }
  // `row` 0 is the bottom label row, 1 the one above: markers at (nearly) the same time, such as
  // "overload ends" and an immediate "recovered", would otherwise print their labels on top of
  // each other. A label near the right edge is drawn to the left of its line.
  void marker(double t, std::string_view label, std::string_view color, int row) {
    const bool flip = x(t) > chart_width - 140;
    body_ += fmt::format(R"(<line x1="{0:.1f}" x2="{0:.1f}" y1="5" y2="{1}" stroke="{2}" stroke-dasharray="6,4" stroke-width="2"/>)"
                         R"(<text x="{3:.1f}" y="{4}" fill="{2}" class="marker" text-anchor="{6}">{5}</text>)",
                         x(t), chart_height - margin_bottom + 5, color, flip ? x(t) - 4 : x(t) + 4,
                         chart_height - margin_bottom - 8 - marker_row_height * row, label, flip ? "end" : "start");
  }
  std::string svg() const {
    std::string axes;
    for (int i = 0; i <= 4; ++i) {
      const double v = y_max_ * i / 4;
      axes += fmt::format(R"(<line x1="{}" x2="{}" y1="{:.1f}" y2="{:.1f}" stroke="#ddd"/><text x="5" y="{:.1f}" class="axis">{:.0f}{}</text>)",
                          margin_left, chart_width - 10, y(v), y(v), y(v) + 4, v, unit_);
    }
    // About ten labels whatever the run's length: 1, 2, 5, 10, 20, 30 or 60 s apart.
    double step = 60;
    for (const double candidate : {1.0, 2.0, 5.0, 10.0, 20.0, 30.0}) {
      if (t_max_ / candidate <= 12) {
        step = candidate;
        break;
      }
    }
    for (double t = 0; t <= t_max_; t += step)
      axes += fmt::format(R"(<text x="{:.1f}" y="{}" class="axis">{:.0f}s</text>)", x(t) - 6, chart_height - 8, t);
    return fmt::format(R"(<svg viewBox="0 0 {} {}" width="100%" xmlns="http://www.w3.org/2000/svg">{}{}</svg><div class="legend">{}</div>)",
                       chart_width, chart_height, axes, body_, legend_);
  }

 private:
  double t_max_, y_max_;
  std::string unit_, body_, legend_;
};

}  // namespace levee::load
