//! The scaffold every chart is drawn on, so that a chart's `render` says only
//! what is its own: the SVG document on white ([`svg`]), the frame of title,
//! margins and axes ([`Frame`]), the legend and its swatches, and the rows of
//! a horizontal bar chart ([`Rows`]). Sizes and colours are in `style`.

use std::fmt::Display;

use plotters::coord::ranged1d::{AsRangedCoord, DefaultFormatting, KeyPointHint, ValueFormatter};
use plotters::coord::{CoordTranslate, Shift};
use plotters::prelude::*;

use super::ChartError;
use super::style::FONT;

/// A drawing area of an SVG chart.
pub(crate) type Area<'s> = DrawingArea<SVGBackend<'s>, Shift>;

/// A plot of an SVG chart: `X` across, `Y` up.
pub(crate) type Plot<'a, 's, X, Y> = ChartContext<'a, SVGBackend<'s>, Cartesian2d<X, Y>>;

/// A plotters error as the error of the chart drawn in `file`.
pub(crate) trait OrFail<T> {
    /// The value, or the error as a [`ChartError`] of `file`.
    fn or_fail(self, file: &str) -> Result<T, ChartError>;
}

impl<T, E: Display> OrFail<T> for Result<T, E> {
    fn or_fail(self, file: &str) -> Result<T, ChartError> {
        self.map_err(|e| ChartError::new(file, e))
    }
}

/// The SVG document `draw` draws of `size` pixels, on white.
pub(crate) fn svg(
    file: &str,
    size: (u32, u32),
    draw: impl FnOnce(&Area<'_>) -> Result<(), ChartError>,
) -> Result<String, ChartError> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE).or_fail(file)?;
        draw(&root)?;
        root.present().or_fail(file)?;
    }
    Ok(svg)
}

/// How an axis labels its values.
type Labels<'f> = &'f dyn Fn(&f64) -> String;

/// The frame of a plot: its title (20 px) above, a margin of 14 px, the
/// label areas (44 px below, 64 px left unless set), the axes' value labels
/// (13 px unless set) and descriptions (14 px), and a faint grid at the
/// labelled values only.
pub(crate) struct Frame<'f> {
    title: Option<&'f str>,
    x_labels: Labels<'f>,
    y_labels: Labels<'f>,
    x_desc: Option<String>,
    y_desc: Option<String>,
    x_area: u32,
    y_area: u32,
    label_size: u32,
    x_ticks: Option<usize>,
}

impl<'f> Frame<'f> {
    /// A frame titled `title` (none: a lower panel), its axes labelled by
    /// `x_labels` and `y_labels`.
    pub(crate) fn new(title: Option<&'f str>, x_labels: Labels<'f>, y_labels: Labels<'f>) -> Self {
        Frame {
            title,
            x_labels,
            y_labels,
            x_desc: None,
            y_desc: None,
            x_area: 44,
            y_area: 64,
            label_size: 13,
            x_ticks: None,
        }
    }

    /// What the x axis shows.
    pub(crate) fn x_desc(mut self, desc: impl Into<String>) -> Self {
        self.x_desc = Some(desc.into());
        self
    }

    /// What the y axis shows.
    pub(crate) fn y_desc(mut self, desc: impl Into<String>) -> Self {
        self.y_desc = Some(desc.into());
        self
    }

    /// The height of the x label area, pixels.
    pub(crate) fn x_area(mut self, pixels: u32) -> Self {
        self.x_area = pixels;
        self
    }

    /// The width of the y label area, pixels.
    pub(crate) fn y_area(mut self, pixels: u32) -> Self {
        self.y_area = pixels;
        self
    }

    /// Value labels of `size` pixels.
    pub(crate) fn label_size(mut self, size: u32) -> Self {
        self.label_size = size;
        self
    }

    /// At most `n` value labels on the x axis.
    pub(crate) fn x_ticks(mut self, n: usize) -> Self {
        self.x_ticks = Some(n);
        self
    }

    /// The plot of `x` across and `y` up on `area`, framed.
    pub(crate) fn draw<'a, 's, X, Y>(
        self,
        area: &'a Area<'s>,
        file: &str,
        x: X,
        y: Y,
    ) -> Result<Plot<'a, 's, X::CoordDescType, Y::CoordDescType>, ChartError>
    where
        X: AsRangedCoord<Value = f64>,
        Y: AsRangedCoord<Value = f64>,
        X::CoordDescType: ValueFormatter<f64>,
        Y::CoordDescType: ValueFormatter<f64>,
    {
        let mut builder = ChartBuilder::on(area);
        if let Some(title) = self.title {
            builder.caption(title, (FONT, 20));
        }
        let mut plot = builder
            .margin(14)
            .x_label_area_size(self.x_area)
            .y_label_area_size(self.y_area)
            .build_cartesian_2d(x, y)
            .or_fail(file)?;
        let mut mesh = plot.configure_mesh();
        if let Some(n) = self.x_ticks {
            mesh.x_labels(n);
        }
        if let Some(desc) = self.x_desc {
            mesh.x_desc(desc);
        }
        if let Some(desc) = self.y_desc {
            mesh.y_desc(desc);
        }
        mesh.x_label_formatter(self.x_labels)
            .y_label_formatter(self.y_labels)
            .label_style((FONT, self.label_size))
            .axis_desc_style((FONT, 14))
            .light_line_style(WHITE.mix(0.0))
            .bold_line_style(BLACK.mix(0.08))
            .draw()
            .or_fail(file)?;
        Ok(plot)
    }
}

/// A legend swatch for a line series: a short line in `colour`.
pub(crate) fn legend_line(colour: RGBColor) -> impl Fn((i32, i32)) -> PathElement<(i32, i32)> {
    move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], colour.stroke_width(2))
}

/// A legend swatch for an area or a bar: a box `width` pixels wide.
pub(crate) fn legend_box(
    style: impl Into<ShapeStyle>,
    width: i32,
) -> impl Fn((i32, i32)) -> Rectangle<(i32, i32)> {
    let style = style.into();
    move |(x, y)| Rectangle::new([(x, y - 5), (x + width, y + 5)], style)
}

/// Draws `plot`'s legend at `position` in the style every chart shares.
pub(crate) fn legend<'a, DB, CT>(
    plot: &mut ChartContext<'a, DB, CT>,
    file: &str,
    position: SeriesLabelPosition,
) -> Result<(), ChartError>
where
    DB: DrawingBackend + 'a,
    CT: CoordTranslate,
{
    plot.configure_series_labels()
        .position(position)
        .label_font((FONT, 13))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.3))
        .draw()
        .or_fail(file)
}

/// The outline of a band between the lines `lo` and `hi` over `xs`: along
/// `hi`, then back along `lo`.
pub(crate) fn band_outline(
    xs: impl DoubleEndedIterator<Item = f64> + ExactSizeIterator + Clone,
    lo: &[f64],
    hi: &[f64],
) -> Vec<(f64, f64)> {
    let mut points: Vec<(f64, f64)> = xs.clone().zip(hi.iter().copied()).collect();
    points.extend(xs.zip(lo.iter().copied()).rev());
    points
}

/// The rows of a horizontal bar chart, one per labelled bar, the first on
/// top: the y axis, its labels and the label area they need.
pub(crate) struct Rows<'l> {
    labels: Vec<&'l str>,
}

impl<'l> Rows<'l> {
    /// Rows labelled `labels`, top to bottom.
    pub(crate) fn new(labels: impl IntoIterator<Item = &'l str>) -> Self {
        Rows {
            labels: labels.into_iter().collect(),
        }
    }

    /// Number of rows on the axis (one even with no bar).
    fn n(&self) -> usize {
        self.labels.len().max(1)
    }

    /// The y axis.
    pub(crate) fn axis(&self) -> RowAxis {
        RowAxis { n: self.n() }
    }

    /// Width of the label area the longest label needs, pixels.
    pub(crate) fn label_width(&self) -> u32 {
        let longest = self.labels.iter().map(|l| l.chars().count()).max();
        (longest.unwrap_or(0) as u32 * 7 + 16).clamp(64, 320)
    }

    /// The label of the row at `v` on the axis.
    pub(crate) fn label(&self, v: f64) -> String {
        // Row i (from the bottom) holds bar n - 1 - i.
        let row = v.floor().max(0.0) as usize;
        self.labels
            .get(self.n().saturating_sub(1 + row))
            .map(|l| (*l).to_string())
            .unwrap_or_default()
    }

    /// The top of the axis.
    pub(crate) fn top(&self) -> f64 {
        self.n() as f64
    }

    /// Where the row of bar `k` starts on the axis (its bar spans 0.2 to 0.8
    /// above).
    pub(crate) fn y(&self, k: usize) -> f64 {
        (self.n() - 1 - k) as f64
    }
}

/// A y axis of `n` rows, ticked at each row's centre.
#[derive(Debug, Clone)]
pub(crate) struct RowAxis {
    n: usize,
}

impl Ranged for RowAxis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let t = value / self.n as f64;
        limit.0 + (t * f64::from(limit.1 - limit.0)).round() as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, _hint: Hint) -> Vec<f64> {
        (0..self.n).map(|i| i as f64 + 0.5).collect()
    }

    fn range(&self) -> std::ops::Range<f64> {
        0.0..self.n as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_put_the_first_bar_on_top() {
        let rows = Rows::new(["a", "bb", "c"]);
        assert_eq!((rows.y(0), rows.y(2)), (2.0, 0.0));
        assert_eq!(rows.label(2.5), "a");
        assert_eq!(rows.label(0.5), "c");
        assert_eq!(rows.label_width(), 64);
        let long = "x".repeat(60);
        assert_eq!(Rows::new([long.as_str()]).label_width(), 320);
        assert_eq!(Rows::new([]).label(0.5), "");
    }
}
