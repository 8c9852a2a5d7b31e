//! Lulu's product codes ("Select a Product", "POD Package Migration Notice").
use crate::model::book::{Binding, Paper, TrimSize};
use crate::model::order::{Finish, Interior};

/// Lulu's product code for these options, in the dotted form
/// (`0600X0900.BW.STD.PB.060UW444.MXX`: trim, ink, quality, binding, paper, then finish,
/// linen and foil). Removing the dots gives the legacy 27-character form.
///
/// Lulu's specification sheet sells every combination the order form offers today (all three
/// trims in paperback and casewrap hardcover, black and white or colour on 60# white or 80#
/// coated white paper); the error is for combinations it may offer later, in words for the
/// family.
pub fn pod_package_id(
    trim: TrimSize,
    binding: Binding,
    interior: Interior,
    paper: Paper,
    finish: Finish,
) -> Result<String, String> {
    let trim = match trim {
        TrimSize::Trade6x9 => "0600X0900",
        TrimSize::Square8_5 => "0850X0850",
        TrimSize::Letter8_5x11 => "0850X1100",
    };
    let (ink, quality) = match interior {
        Interior::BlackWhite => ("BW", "STD"),
        Interior::StandardColour => ("FC", "STD"),
        Interior::PremiumColour => ("FC", "PRE"),
    };
    let binding = match binding {
        Binding::Paperback => "PB",
        Binding::Hardcover => "CW",
    };
    let paper = match paper {
        Paper::Standard60 => "060UW444",
        Paper::Premium80 => "080CW444",
    };
    let finish = match finish {
        Finish::Matte => 'M',
        Finish::Gloss => 'G',
    };
    // X, X: no linen, no foil (those are for linen-wrap hardcovers).
    Ok(format!("{trim}.{ink}.{quality}.{binding}.{paper}.{finish}XX"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn products_have_lulus_package_ids() {
        use Binding::*;
        use Finish::*;
        use Interior::*;
        use Paper::*;
        use TrimSize::*;
        // Lulu's documented examples ("Select a Product", cost and print-job examples) that our
        // options can make, then the square and letter trims.
        let cases = [
            ((Trade6x9, Paperback, BlackWhite, Standard60, Matte), "0600X0900.BW.STD.PB.060UW444.MXX"),
            ((Trade6x9, Paperback, StandardColour, Premium80, Gloss), "0600X0900.FC.STD.PB.080CW444.GXX"),
            ((Square8_5, Hardcover, PremiumColour, Premium80, Matte), "0850X0850.FC.PRE.CW.080CW444.MXX"),
            ((Square8_5, Paperback, PremiumColour, Standard60, Gloss), "0850X0850.FC.PRE.PB.060UW444.GXX"),
            ((Letter8_5x11, Hardcover, BlackWhite, Standard60, Gloss), "0850X1100.BW.STD.CW.060UW444.GXX"),
            ((Letter8_5x11, Paperback, StandardColour, Standard60, Matte), "0850X1100.FC.STD.PB.060UW444.MXX"),
        ];
        for ((trim, binding, interior, paper, finish), expected) in cases {
            assert_eq!(pod_package_id(trim, binding, interior, paper, finish).as_deref(), Ok(expected));
        }
        // Without the dots, the legacy form: 0600X0900BWSTDPB060UW444MXX, 27 characters.
        let legacy = pod_package_id(Trade6x9, Paperback, BlackWhite, Standard60, Matte).unwrap().replace('.', "");
        assert_eq!(legacy, "0600X0900BWSTDPB060UW444MXX");
        // Every combination the form offers is one Lulu sells, and well formed.
        for trim in TrimSize::ALL {
            for binding in Binding::ALL {
                for interior in Interior::ALL {
                    for paper in Paper::ALL {
                        for finish in Finish::ALL {
                            let id = pod_package_id(trim, binding, interior, paper, finish).unwrap();
                            let parts: Vec<&str> = id.split('.').collect();
                            assert_eq!(parts.iter().map(|p| p.len()).collect::<Vec<_>>(), [9, 2, 3, 2, 8, 3], "{id}");
                            assert_eq!(id.replace('.', "").len(), 27, "{id}");
                        }
                    }
                }
            }
        }
    }
}
