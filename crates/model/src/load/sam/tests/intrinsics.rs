//! Each intrinsic function, short and long form, evaluated into environment variables.

use std::collections::BTreeMap;

use super::*;

fn variables(test: &str, head: &str, lines: &[&str]) -> BTreeMap<String, String> {
    let path = fixture(test, &["hello"]);
    load_ok(&path, &with_variables(head, lines)).functions[0]
        .environment
        .clone()
}

fn expect(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

const PARAMS: &str = "Parameters:\n  Env:\n    Type: String\n    Default: dev\n  Zones:\n    Type: CommaDelimitedList\n    Default: 'a, b,c'\n  Size:\n    Type: Number\n    Default: 3\n";

#[test]
fn ref_gives_parameters_pseudo_parameters_and_resources() {
    let found = variables(
        "ref",
        PARAMS,
        &[
            "ENV: !Ref Env",
            "SIZE: !Ref Size",
            "REGION: !Ref AWS::Region",
            "ACCOUNT: {Ref: AWS::AccountId}",
            "STACK: !Ref AWS::StackName",
            "PARTITION: !Ref AWS::Partition",
            "SUFFIX: !Ref AWS::URLSuffix",
            "SELF: !Ref Fn",
            "GONE: !Ref AWS::NoValue",
        ],
    );
    assert_eq!(
        found,
        expect(&[
            ("ENV", "dev"),
            ("SIZE", "3"),
            ("REGION", "us-east-1"),
            ("ACCOUNT", "123456789012"),
            ("STACK", "sam-app"),
            ("PARTITION", "aws"),
            ("SUFFIX", "amazonaws.com"),
            ("SELF", "Fn"),
        ])
    );
}

#[test]
fn sub_in_both_forms() {
    let found = variables(
        "sub",
        PARAMS,
        &[
            "PLAIN: !Sub '${AWS::Region}-${Env}'",
            "VARS: !Sub ['${A}/${Env}/${B}', {A: x, B: !Ref Size}]",
            "ARN: !Sub '${Fn.Arn}:live'",
            "LITERAL: !Sub '${!Literal}-${ Env }'",
            "LONG: {'Fn::Sub': 'arn:${AWS::Partition}:s3:::${AWS::StackName}'}",
            "BLOCK: !Sub |",
            "  line ${Env}",
        ],
    );
    assert_eq!(
        found,
        expect(&[
            ("PLAIN", "us-east-1-dev"),
            ("VARS", "x/dev/3"),
            (
                "ARN",
                "arn:aws:lambda:us-east-1:123456789012:function:Fn:live"
            ),
            ("LITERAL", "${Literal}-dev"),
            ("LONG", "arn:aws:s3:::sam-app"),
            ("BLOCK", "line dev\n"),
        ])
    );
}

#[test]
fn get_att_join_select_split_and_find_in_map() {
    let head = format!("{PARAMS}Mappings:\n  Sizes:\n    dev: {{Memory: 256}}\n");
    let found = variables(
        "functions",
        &head,
        &[
            "ARN: !GetAtt Fn.Arn",
            "ARN_LONG: {'Fn::GetAtt': [Fn, Arn]}",
            "JOINED: !Join ['-', [a, !Ref Env, 3]]",
            "ZONES: !Join ['+', !Ref Zones]",
            "SECOND: !Select [1, !Split [',', 'x,y,z']]",
            "ZONE: !Select ['0', !Ref Zones]",
            "MEMORY: !FindInMap [Sizes, !Ref Env, Memory]",
        ],
    );
    assert_eq!(
        found,
        expect(&[
            ("ARN", "arn:aws:lambda:us-east-1:123456789012:function:Fn"),
            (
                "ARN_LONG",
                "arn:aws:lambda:us-east-1:123456789012:function:Fn"
            ),
            ("JOINED", "a-dev-3"),
            ("ZONES", "a+b+c"),
            ("SECOND", "y"),
            ("ZONE", "a"),
            ("MEMORY", "256"),
        ])
    );
}

#[test]
fn conditions_and_if() {
    let head = format!(
        "{PARAMS}Conditions:\n  IsDev: !Equals [!Ref Env, dev]\n  SizeThree: !Equals [3, !Ref Size]\n  Both: !And [!Condition IsDev, !Condition SizeThree]\n  Either: !Or [!Not [!Condition IsDev], {{Condition: SizeThree}}]\n  Neither: {{'Fn::Not': [{{'Fn::Or': [{{Condition: IsDev}}, {{Condition: SizeThree}}]}}]}}\n"
    );
    let found = variables(
        "conditions",
        &head,
        &[
            "DEV: !If [IsDev, yes, no]",
            "BOTH: !If [Both, yes, no]",
            "EITHER: !If [Either, yes, no]",
            "NEITHER: !If [Neither, yes, !Ref AWS::NoValue]",
            "NESTED: !If [IsDev, !Sub '${Env}!', never]",
        ],
    );
    assert_eq!(
        found,
        expect(&[
            ("DEV", "yes"),
            ("BOTH", "yes"),
            ("EITHER", "yes"),
            ("NESTED", "dev!"),
        ])
    );
}

#[test]
fn json_templates_use_the_long_forms() {
    let path = fixture("json", &["hello"]).with_extension("json");
    let text = r#"{
  "AWSTemplateFormatVersion": "2010-09-09",
  "Transform": "AWS::Serverless-2016-10-31",
  "Parameters": {"Env": {"Type": "String", "Default": "dev"}},
  "Conditions": {"IsDev": {"Fn::Equals": [{"Ref": "Env"}, "dev"]}},
  "Resources": {
    "Fn": {
      "Type": "AWS::Serverless::Function",
      "Properties": {
        "CodeUri": "hello", "Handler": "app.handler", "Runtime": "nodejs20.x",
        "Timeout": {"Fn::If": ["IsDev", 30, 3]},
        "Environment": {"Variables": {"URL": {"Fn::Join": ["", ["https://", {"Ref": "Env"}, ".example.com"]]}}}
      }
    }
  }
}"#;
    let function = load_ok(&path, text).functions.remove(0);
    assert_eq!(function.timeout, std::time::Duration::from_secs(30));
    assert_eq!(
        function.environment,
        expect(&[("URL", "https://dev.example.com")])
    );
}

#[test]
fn get_att_of_a_resource_turnpike_does_not_create_is_a_placeholder_with_a_warning() {
    let path = fixture("placeholder", &["hello"]);
    let text = format!(
        "{}  Table:\n    Type: AWS::DynamoDB::Table\n",
        with_variables("", &["TABLE: !Ref Table", "TABLE_ARN: !GetAtt Table.Arn"])
    );
    let template = load_ok(&path, &text);
    assert_eq!(
        template.functions[0].environment,
        expect(&[("TABLE", "Table"), ("TABLE_ARN", "Table.Arn")])
    );
    let warnings = located_all(&path, template.warnings);
    assert_eq!(
        warnings,
        [e(12, 30, "/Resources/Fn/Properties/Environment/Variables/TABLE_ARN", "Fn::GetAtt Table.Arn gives the placeholder \"Table.Arn\": Turnpike does not create AWS::DynamoDB::Table resources, so their attributes have no value here")]
    );
}
