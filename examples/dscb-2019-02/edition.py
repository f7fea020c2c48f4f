"""February 2019 newsletter, built with the fluent builder.

Reproduces the Derbyshire Safeguarding Children Board's February 2019
newsletter in full. Link addresses were not in the source text, so the ones
here are stand-ins on the board's site (or the named organisation's).
"""

from datetime import date

from bulletin.model.blocks import Contact, Image
from bulletin.model.edition import Edition
from bulletin.model.settings import Sender, Settings

SITE = "https://www.derbyshirescb.org.uk"
LIST_ID = "newsletter.derbyshirescb.org.uk"
TRAINING = f"{SITE}/training/"
PROCEDURES = f"{SITE}/procedures/"
SCHOOLSNET = "https://schoolsnet.derbyshire.gov.uk/keeping-children-safe/online-safety/"

settings = Settings(
    publisher="Derbyshire Safeguarding Children Board",
    logo=Image(
        "images/logo.png",
        "Derbyshire Safeguarding Children Board (DSCB) logo",
        width=200,
        link=SITE + "/",
    ),
    colours={"brand": "#1f5c3a"},
    contact=Contact(
        heading="Contact us",
        name="Derbyshire Safeguarding Children Board",
        website="www.derbyshirescb.org.uk",
    ),
    sender=Sender("Derbyshire Safeguarding Children Board", "dscb@derbyshire.gov.uk"),
    view_online_url=SITE + "/newsletters/{slug}.html",
    unsubscribe_url=SITE + "/unsubscribe?token={token}",
    list_id=LIST_ID,
    subscribe_url=f"{SITE}/newsletter/",
    date_format="{month} {year}",
)

edition = Edition(
    "February 2019 newsletter",
    date(2019, 2, 15),
    preheader=(
        "Key points from the December board meeting, new learning reviews, audit "
        "findings and updated procedures."
    ),
    language="en-GB",
)
edition.add_intro("Quarterly news and information - February 2019.")

# Key points from the board meeting -------------------------------------------

board = edition.section("Key points from the board meeting in December 2018")
board.article("Early help").paragraph(
    "How we ensure that the strategies and efforts of all agencies are co-ordinated "
    "and are working together to provide the most effective and early interventions "
    "for the benefit of children. A working group has been instigated to ensure that "
    "we deliver this requirement by September 2019."
)
board.article("Performance and risk").paragraph(
    "Arrangements for ensuring that we measure the right things in the most effective "
    "and transparent manner, so that our judgements about the safety of children are "
    "fully informed and open to transparent challenge."
)
board.article("Improvements for children").bullets(
    [
        "CDOP annual report shows how we are contributing to parental awareness of "
        "safe sleep",
        "gaining a better understanding of the increase in numbers of children going "
        "missing",
        "sexual assault referral centre (SARC) experience for the child given priority",
        "making significant steps to offering early help as a partnership",
        "agreeing the data that will help us drive current issues",
        "actions from the Aston Hall action plan which are still outstanding are being "
        "followed up",
    ]
).paragraph(
    "That we continue to question and challenge what we do, is and will continue to be "
    "fundamental to the work of the board, its constituent members and all "
    "practitioners who are charged with the safeguarding of children in Derbyshire. It "
    "is a question we all should ask ourselves every day."
)

# Serious case reviews --------------------------------------------------------

(
    edition.section("Serious case reviews and serious incident learning reviews")
    .paragraph(
        "Please ensure that your knowledge around serious incident learning reviews "
        "(SILRs) and serious case reviews (SCRs) is up to date."
    )
    .paragraph(
        "**SILR15B** - A multi-agency serious incident learning review was "
        "commissioned by Derbyshire Safeguarding Children Board in 2015 following the "
        "sudden death of a 3 month old baby; considered by the coroner’s court as "
        "being consistent with overlay."
    )
    .paragraph(
        "**SALR16B** - A single agency learning review was commissioned by Derbyshire "
        "Safeguarding Children Board to consider the case of a teenager who "
        "demonstrated challenging and complex behaviours. There were also difficulties "
        "around finding local and national secure accommodation to suit his needs."
    )
    .paragraph(
        "**SALR17A** - A single agency learning review was commissioned by Derbyshire "
        "Safeguarding Children Board following the death of a teenager by alcohol "
        "overdose. The young person was home educated over a number of years and is "
        "known to have lived a happy life but died tragically having consumed a lethal "
        "amount of alcohol."
    )
    .paragraph(
        f"View [the latest serious case review briefing notes]({SITE}/case-reviews/)."
    )
    .paragraph(
        "We will shortly be publishing a further serious incident learning review "
        "regarding a teenager who died as result of heart failure directly linked to "
        "being morbidly obese. Action plans are in place for all our learning reviews "
        "to ensure that all the recommendations from learning reviews are implemented "
        "and there are improvements to how agencies work to safeguard children as a "
        "result."
    )
    .paragraph(
        "Information regarding learning from case reviews is available from the "
        "[NSPCC](https://learning.nspcc.org.uk/case-reviews)."
    )
    .paragraph(
        "The [Derbyshire domestic homicide review summary of learning 2014 to 2018]"
        f"({SITE}/case-reviews/domestic-homicide-reviews/) has now been published."
    )
)

# Learning from audit ---------------------------------------------------------

audit = (
    edition.section("Learning from audit")
    .paragraph(
        "The JTAI audit programme continues on a quarterly cycle, and the previous "
        "months have seen multi-agency audits completed relating to children living "
        "with domestic abuse, child sexual exploitation and missing children."
    )
    .paragraph(
        "A brief summary of evidence from both recent thematic audits - domestic abuse "
        "and children at risk of sexual exploitation included:"
    )
)
audit.article("Good practice").bullets(
    [
        "the child’s voice is being sought and evidenced where possible",
        "good multi-agency engagement and effective work where robust TAF/core group "
        "arrangements are in place",
        "appropriate referrals made for additional support and identification of "
        "unmet need",
        "direct work which is child focused, of good quality and signs of positive and "
        "trusting relationships with workers which increases resilience",
        "management oversight leading to increased scrutiny and follow up",
    ]
)
# In the original the closing paragraphs follow this list with no new heading,
# so they stay in this article (an article cannot be followed by section blocks).
(
    audit.article("Areas for development")
    .bullets(
        [
            "use of one SMART plan for the child/family across agencies to ensure "
            "co-ordinated support, assessment, risk management and evidence of impact",
            "ensuring risks relating to all significant adults and potential impact "
            "on children are fully understood e.g. parental mental health and hidden "
            "partners",
            "more effective use of agencies’ risk management processes/pathways and "
            "systems e.g. MARAC, tasking meetings",
            "improvement of cross-border working to increase understanding of "
            "vulnerability issues and ensure continuity of risk management",
            "more consistent use and regular update of chronologies, including "
            "historical family life and outcomes to inform risk assessments",
        ]
    )
    .paragraph(
        "The next DSCB multi-agency audit evaluation day will take place in March "
        "2019; the theme for this audit is child sexual abuse in the family "
        "environment. Further multi-agency thematic audits will take place in July, "
        "October and December 2019."
    )
    .paragraph(
        "Ofsted have confirmed the next three themes for Joint Targeted Area "
        "Inspections (JTAI) will begin in early summer 2019, they are:"
    )
    .bullets(
        [
            "multi-agency response to children at risk of mental health issues",
            "effectiveness of prevention and early intervention at reducing current "
            "and future risks to children and meeting their needs",
            "multi-agency response to older children in need of help and protection "
            "focusing on contextual safeguarding including exploitation",
        ]
    )
    .paragraph(
        "The DSCB would like to express its thanks to all agencies for continuing to "
        "support preparation for the JTAI inspection cycle."
    )
)

# Training programme ----------------------------------------------------------

(
    edition.section("Training programme")
    .paragraph(
        "The training programme for the period October 2019 to March 2019 is now "
        "available. The training programme supports the implementation of the DSCB "
        "priorities."
    )
    .paragraph(
        "Please look out for the spring training programme which will be published in "
        "the coming weeks."
    )
    .paragraph(f"View [our training programme]({TRAINING}).")
    .button("View our training programme", TRAINING)
)

# Policies and procedures -----------------------------------------------------

(
    edition.section("Policies and procedures")
    .paragraph(
        "Our policies and procedures were updated in July 2019. This update included a "
        "amendments to the following procedures:"
    )
    .bullets(
        [
            "introduction to the procedures",
            "making a referral to social care",
            "child protection section 47 enquiries",
            "safeguarding children and young people against radicalisation and violent "
            "extremism",
            "local contacts",
            "allegations against staff, carers and volunteers (November update)",
            "safeguarding children who may be victims of modern slavery (have been "
            "trafficked) (February update)",
        ]
    )
    .paragraph(
        "The update also incorporates new guidance and amended documents launched in "
        "November / December 2018:"
    )
    .bullets(
        [
            "practice guidance on bruising in babies and children",
            "guidance on managing babies with suspected birth marks, including "
            "Mongolian blue spots",
            "whistleblowing guidance",
            "arranging a child protection medical at Chesterfield Royal Hospital "
            "(updated)",
            "Derby/Southern Derbyshire medical examination in cases of suspected "
            "child abuse (updated)",
            "Derby and Derbyshire LADO referral form",
        ]
    )
    .paragraph(
        "View [a list of the policy and procedure "
        f"amendments]({PROCEDURES}amendments/) or you can [register for safeguarding "
        f"policy and procedure updates]({PROCEDURES}register-for-updates/)."
    )
    .callout(
        "Please make sure you review the updates to policy and procedures in the "
        f"[documents library]({PROCEDURES}documents-library/)."
    )
)

# Online safety ---------------------------------------------------------------

(
    edition.section("Online safety")
    .image(
        "images/online-safety.jpg",
        "A laptop whose screen shows a green padlock",
        width=280,
    )
    .paragraph(
        "It was Safer Internet Day on the 5 February 2019, a reminder of the "
        "ever-changing and increasing risks that children and young people face online."
    )
    .paragraph(
        "View the "
        f"[online safety information for professionals]({SITE}/online-safety/) and the "
        f"[online Safety section on SchoolsNet]({SCHOOLSNET}) "
        "for information and guidance which includes a useful "
        f"[online on guard leaflet]({SITE}/online-safety/online-on-guard-leaflet/)."
    )
)

# National Child Sexual Exploitation Awareness Day ----------------------------

(
    edition.section("National Child Sexual Exploitation Awareness Day")
    .event(
        "National Child Sexual Exploitation Awareness Day",
        date(2019, 3, 18),
        link=f"{SITE}/child-sexual-exploitation/",
    )
    .paragraph(
        "We will be supporting National Child Sexual Exploitation Awareness Day on the "
        "18 March 2019 by sharing developments and drawing attention to exploitation "
        "in a wider context."
    )
    .paragraph(
        "It's important to be aware that children who go missing are potentially "
        "vulnerable to child sexual exploitation. A range of posters, which have been "
        "developed by the National Working Group and promoted in conjunction with the "
        "DSCB and Derbyshire Community Safety Partnership, are available."
    )
    .paragraph(
        'View the ["Say something if you see something" posters]'
        f"({SITE}/child-sexual-exploitation/posters/)."
    )
)

# Future newsletters ----------------------------------------------------------

(
    edition.section("Future newsletters")
    .paragraph(
        "If you have information or news that you would like to share via the "
        "newsletter, please email "
        "[ella.boulton@derbyshire.gov.uk](mailto:ella.boulton@derbyshire.gov.uk)"
    )
    .paragraph("The deadline for the next bulletin is 29 March 2019.")
)
