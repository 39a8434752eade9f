use fallwerk_core::case::Action;
#[test]
fn probe() {
    for b in [r#"{"action":"export","expected_version":1,"foo":1}"#, r#"{"action":"comment","text":"x","expected_version":1,"foo":1}"#, r#"{"action":"confirm_competence","expected_version":1,"foo":1}"#] {
        let v: serde_json::Value = serde_json::from_str(b).unwrap();
        println!("{b} => {:?}", Action::parse_request(v));
    }
}
