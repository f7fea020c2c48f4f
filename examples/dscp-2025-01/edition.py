"""DSCP Newsletter - January 2025, built declaratively (constructors only).

Reproduces the Durham Safeguarding Children Partnership's January 2025
newsletter in full. Link addresses were not in the source text, so the ones
here are stand-ins on the partnership's site (or the named organisation's).
"""

from datetime import date

from bulletin.model.blocks import (
    BulletList,
    Button,
    Callout,
    Contact,
    Event,
    Image,
    Paragraph,
    Quote,
)
from bulletin.model.edition import Article, Edition, Section
from bulletin.model.settings import Sender, Settings

SITE = "https://www.durham-scp.org.uk"
LIST_ID = "newsletter.durham-scp.org.uk"
ME_LEARNING = f"{SITE}/training/me-learning/"
TRAINING = f"{SITE}/training/"
DSCP_EMAIL = "[DSCPSecure@durham.gov.uk](mailto:DSCPSecure@durham.gov.uk)"
CARE_LEAVER_PDF = (
    f"{SITE}/wp-content/uploads/2025/01/"
    "Responsibility-of-professionals-to-share-information-when-a-Care-Leaver-Dies.pdf"
)
BILL_NOTES = (
    "https://www.gov.uk/government/publications/"
    "childrens-wellbeing-and-schools-bill-policy-summary-notes"
)

settings = Settings(
    publisher="Durham Safeguarding Children Partnership",
    logo=Image("images/logo.png", "DSCP logo", width=200, link=SITE + "/"),
    colours={"brand": "#1d4f91"},
    contact=Contact(
        heading="Contact us",
        address=["Council Offices", "Green Lane", "Spennymoor", "DL16 6JQ"],
        phone="03000 265770",
        email="DSCPSecure@durham.gov.uk",
        website="www.durham-scp.org.uk",
    ),
    footer=(
        "**Subscriptions**\\\n"
        "If you would like to unsubscribe to our newsletter, please click the link "
        "below. The online subscription form can be found "
        f"[here]({SITE}/newsletter-subscription/)."
    ),
    sender=Sender(
        "Durham Safeguarding Children Partnership", "dscpsecure@durham.gov.uk"
    ),
    view_online_url=SITE + "/newsletters/{slug}.html",
    unsubscribe_url=SITE + "/unsubscribe?token={token}",
    list_id=LIST_ID,
    subscribe_url=f"{SITE}/newsletter-subscription/",
    date_format="{month} {year}",
)

latest_news = Section(
    "Latest News from DSCP",
    articles=[
        Article(
            "MASA Arrangements",
            [
                Paragraph(
                    "The DSCP Multi-Agency Safeguarding Arrangements (MASA) have been "
                    "revised in line with Working Together 2023."
                ),
                Paragraph(
                    "The purpose of multi-agency safeguarding arrangements is to "
                    "ensure that, at a local level, organisations and agencies are "
                    "clear about how they will work together to safeguard children and "
                    "promote their welfare."
                ),
                Paragraph("These arrangements include:"),
                BulletList(
                    [
                        "Arrangements for the safeguarding partners to work together "
                        "to identify and respond to the needs of children in the area.",
                        "Arrangements for commissioning and publishing local child "
                        "safeguarding practice reviews.",
                        "Arrangements for independent scrutiny of the effectiveness "
                        "of the arrangements.",
                    ]
                ),
                Paragraph(
                    "These arrangements and all the information relating to them are "
                    "published on the Durham Safeguarding Children’s Partnership "
                    "website and subject to an annual review. [You can find our MASA "
                    f"here]({SITE}/about-us/masa/)"
                ),
            ],
        ),
    ],
)

priorities = Section(
    "Priorities",
    articles=[
        Article(
            "Priority One: Domestic Abuse",
            [
                Paragraph(
                    "**Controlling and Coercive Behaviour becoming a MAPPA eligible "
                    "offence**"
                ),
                Paragraph(
                    "In June 2024, the Victims and Prisoners Act added Controlling and "
                    "Coercive Behaviour to the list of Multi-Agency Public Protection "
                    "Arrangements (MAPPA) eligible offences. This offence will be "
                    "added to Section 327 (4A) of the Criminal Justice Act 2003, "
                    "meaning anyone receiving a qualifying sentence for this offence, "
                    "will automatically qualify for MAPPA management under Category 2."
                ),
                Paragraph(
                    "This includes those who are currently serving a qualifying "
                    "sentence. Qualifying sentences include:"
                ),
                BulletList(
                    [
                        "Imprisonment for a term of 12 months or more (including "
                        "indeterminate sentences).",
                        "Detention in youth detention accommodation for a term of 12 "
                        "months or more (including indeterminate sentences).",
                        "Suspended sentences with a term of imprisonment of 12 months "
                        "or more.",
                        "A hospital order (with or without restrictions) or "
                        "guardianship order under the Mental Health Act 1983 (MHA "
                        "1983).",
                    ]
                ),
                Paragraph(
                    "We anticipate this coming into effect on Monday 3rd February "
                    "2025. We are highlighting the upcoming changes therefore want to "
                    "update the partnership to give notice so you can identify "
                    "relevant cases, update your records and when appropriate, set the "
                    "MAPPA management level. We would encourage you to use the MAPPA Q "
                    "available on the MAPPA website to support this."
                ),
                Paragraph("[MAPPA Q](https://mappa.justice.gov.uk/)"),
                Callout(
                    "To read more visit the DSCP Website: [Multi-Agency Public "
                    f"Protection Arrangements (MAPPA)]({SITE}/professionals/mappa/)"
                ),
            ],
        ),
        Article(
            "Priority Two: Harm Outside The Home",
            [
                Paragraph("**Tier 2 Agreement - Harm Outside The Home**"),
                Paragraph(
                    "A new Tier 2 Information Sharing Agreement relating specifically "
                    "to Harm Outside of the Home that provides a framework for sharing "
                    "information has been agreed by partners of the DSCP."
                ),
                Paragraph(
                    "Harm outside of the home should not be viewed differently to any "
                    "other form of welfare or safeguarding concern and you should be "
                    "confident and understand when you can share information to "
                    "protect children. Consent is one lawful basis to share "
                    "information, but it is not required for sharing information in a "
                    "safeguarding context, which includes prevention and early "
                    "intervention."
                ),
                Paragraph(
                    "The DSCP have launched two e-learning packages which are free to "
                    "DSCP partners to access:"
                ),
                Paragraph(
                    "Please register or log in to your account to access these "
                    "resources."
                ),
            ],
        ),
        Article(
            "Priority Three: First 1,001 Days",
            [
                Paragraph(
                    "We have several courses available on Me Learning for "
                    "practitioners who work with or support families with babies and "
                    "children in the first 1,001 days of their life (conception – 2 "
                    "years old)."
                ),
                Paragraph(
                    "All courses can be accessed by registering or logging in to your "
                    f"existing account [HERE]({ME_LEARNING})"
                ),
                Paragraph("**Concealed Pregnancy**"),
                Paragraph(
                    "Exploring the difference between concealed pregnancy and denied "
                    "pregnancy. It looks at two case studies and the aim is to "
                    "identify what went well, what were the challenges and the next "
                    "steps that were taken to support the family."
                ),
                Paragraph("**Safe Sleeping / Safe Handling**"),
                Paragraph(
                    "Following safer sleep advice can significantly reduce changes of "
                    "sudden infant death syndrome (SIDS) occurring."
                ),
                Paragraph(
                    "The aim of this session is to introduce the principles that "
                    "underpin safe sleep / safe handling, the research, and statistics "
                    "around this, why we do these things and the importance of giving "
                    "families these messages. This compliments the Eyes on the Baby "
                    "training below which explores this topic in more depth."
                ),
                Paragraph("**Eyes on the Baby**"),
                Paragraph(
                    "The Eyes on the Baby training has been designed to help staff "
                    "prevent SUDI (Sudden Unexpected Death in Infancy) in County "
                    "Durham. Most unexpected deaths of babies under 1 year occur in "
                    "families living in impoverished circumstances with multiple risks "
                    "or vulnerabilities, and a multi-agency approach is needed to "
                    "reach the families most at risk of infant death. Training the "
                    "multi-agency workforce in County Durham will help staff give "
                    "advice about safer sleep, support shared working between "
                    "services, and keep Eyes on the Baby to reduce SUDI."
                ),
                Paragraph("**Bruising on Non-Mobile Children**"),
                Paragraph(
                    "The aim is to give professionals a working knowledge of the Multi "
                    "Agency Bruising in Non-Mobile Children Protocol"
                ),
                Paragraph("Objectives:"),
                BulletList(
                    [
                        "Be able to understand the protocol and integrate it into your "
                        "practice.",
                        "Know how to recognise and respond to a non-mobile child with "
                        "a bruise.",
                        "Share your observations with the appropriate colleagues in a "
                        "timely manner.",
                        "Have confidence to enact the steps in the protocol.",
                        "Have an understanding of legislation and the local "
                        "safeguarding children procedures.",
                    ]
                ),
            ],
        ),
        Article(
            "Priority Four: Mental Health and Wellbeing",
            [
                Paragraph("**Kindness and Children’s Mental Health**"),
                Image(
                    "images/kindness.jpg",
                    "A red heart on a soft pink background",
                    width=280,
                ),
                Paragraph(
                    "**Children's Mental Health and Wellbeing Week: 3rd-9th February "
                    "2025**"
                ),
                Event(
                    "Children's Mental Health Week",
                    date(2025, 2, 3),
                    end_date=date(2025, 2, 9),
                    link="https://www.childrensmentalhealthweek.org.uk/",
                ),
                Paragraph(
                    "Kindness is a simple way to help EVERYONE. When we are kind to "
                    "each other, it helps us to feel connected, which means we forge "
                    "new friendships or deepen existing ones. Choosing to approach "
                    "your day with a mindset of kindness and empathy is an incredibly "
                    "powerful thing that can change lives and create a kinder world. "
                    "What we do matters."
                ),
                Paragraph(
                    "Research has also shown that when we’re kind, when someone is "
                    "kind to us or even if we just witness kindness, our bodies "
                    "release feel-good hormones which lift our mood, giving us what’s "
                    "known as a ‘Helper’s High’. It’s also been shown that people who "
                    "are kind have much lower stress levels, age more slowly and have "
                    "healthier hearts."
                ),
                Paragraph(
                    "Kindness isn’t just a nice thing to do, but can help us improve "
                    "our own well-being, while helping others at the same time and "
                    "Children’s Mental Health Week is a perfect time to start! "
                    "([Children's Mental Health Week 2025 - School of Kindness]"
                    "(https://schoolofkindness.org/childrens-mental-health-week))"
                ),
                Paragraph(
                    "[Place2Be's Children's Mental Health Week - Official site]"
                    "(https://www.childrensmentalhealthweek.org.uk/)"
                ),
            ],
        ),
    ],
)

whats_new = Section(
    "What's New",
    [
        Paragraph(
            "The Child Safeguarding Practice Review Panel is calling on the government "
            "to ensure that children at risk of being harmed, both inside and outside "
            "their families, are at the heart of its strategies to break down barriers "
            "to opportunity. This comes as the Panel’s latest annual report reveals "
            "that 485 children were affected by serious child safeguarding incidents "
            "between 1 April 2023 and 31 March 2024. This is when a child dies or is "
            "seriously harmed, and abuse or neglect is known or suspected."
        ),
        Paragraph(
            "The recently announced reforms in the government’s paper ‘Keeping "
            "children safe, helping families thrive’ are an important step in the "
            "right direction, with plans to implement the Panel’s recommendation for "
            "multi-agency child protection teams in every local authority. As the "
            "proposal for local multi-agency child protection teams shows, "
            "safeguarding children involves many different agencies from across "
            "policing, healthcare, education and others. Therefore, it is imperative "
            "that the mission-led approach now being promoted across government is "
            "carefully connected so different departments work together at a national "
            "level."
        ),
        Paragraph(
            "The Annual Report 2023/24 highlighted 3 specific themes, which reinforce "
            "the importance of join-up between different government departments."
        ),
        BulletList(
            [
                "Safeguarding children with mental health needs",
                "Safeguarding pre-school children with parents with mental health "
                "needs",
                "Safeguarding children from risks outside the family home",
            ]
        ),
        Paragraph(
            "[‘Mission-led’ government must centre vulnerable children]"
            "(https://www.gov.uk/government/news/mission-led-government-must-centre-"
            "vulnerable-children)"
        ),
    ],
)

events = Section(
    "Events",
    articles=[
        Article(
            "Young Parents Programme",
            [
                Paragraph(
                    "Young Parent's Programme is for parents under 25 years old who "
                    "have a child under two or are expecting a baby."
                ),
                Paragraph(
                    "It's a great way for young mams and dads each other and get lots "
                    "of information and support to help young parents build "
                    "relationships and interact with their child."
                ),
                Paragraph(
                    "The groups include fun activities for Mam and / or Dad and their "
                    "baby and run for four hours a week for 12 weeks. Lunch is "
                    "included and travel expenses will be paid."
                ),
                Paragraph("The course can help with:"),
                BulletList(
                    [
                        "feeding baby and starting solids",
                        "looking after child's teeth",
                        "first aid",
                        "avoiding accidental injuries",
                    ]
                ),
                Paragraph("**Stay and play taster sessions**"),
                Paragraph(
                    "To help encourage young parents to take part, we are welcoming "
                    "them to join us for our fantastic stay and play sessions and find "
                    "out what the young parent's programme can offer them."
                ),
                Paragraph("Here's what our parents thought:"),
                Quote('"Making the foot and hand prints were lovely to keep"'),
                Quote(
                    '"The staff helped me to receive financial support for my children"'
                ),
                Quote(
                    '"First aid training made me feel more confident in case anyone in '
                    'my family became poorly."'
                ),
                Paragraph("Next programmes will start in February and April 2025."),
                Paragraph("Contact Family hubs for further information."),
            ],
        ),
        Article(
            "Time to Talk Day – 6th February 2025",
            [
                Event(
                    "Time to Talk Day",
                    date(2025, 2, 6),
                    link="https://timetotalkday.co.uk/",
                ),
                Paragraph(
                    "Time to Talk Day is an annual awareness day held at the beginning "
                    "of February. It’s a day for us all to start a conversation about "
                    "mental health."
                ),
                Paragraph(
                    "Talking about mental health isn't easy, but a conversation has "
                    "the power to change lives."
                ),
                Paragraph(
                    "Time to Talk Day is run by Mind and Rethink Mental Illness, in "
                    "partnership with the Co-op."
                ),
                Paragraph("**How to start a conversation**"),
                Paragraph(
                    "You don't have to host a huge event to get the conversation going "
                    "on Time to Talk Day. Remember, every conversation matters. Here "
                    "are some ideas to get you started."
                ),
                Paragraph(
                    "You can let Mind know on social media if you start a "
                    "conversation, using #TimeToTalk."
                ),
                BulletList(
                    [
                        "Check in with a friend",
                        "Pop some posters on your community noticeboards",
                        "Host a coffee and chat in your community centre",
                        "Put some posters up in your school",
                        "Run a lunch and learn in your office",
                        "Text a friend",
                    ]
                ),
                Paragraph(
                    "Further information including resources and tips for talking can "
                    "be found at [Time to Talk Day - Mind - "
                    "Mind](https://www.mind.org.uk/get-involved/time-to-talk-day/) or "
                    "the Time to Talk Day website [Time To Talk Day - Time To Talk "
                    "Day](https://timetotalkday.co.uk/)"
                ),
            ],
        ),
        Article(
            "Random Act of Kindness Week: 9th-15th February 2025",
            [
                Event(
                    "Random Acts of Kindness Week",
                    date(2025, 2, 9),
                    end_date=date(2025, 2, 15),
                    link="https://schoolofkindness.org/kindness-challenge",
                ),
                Paragraph(
                    "Random Acts of Kindness Week was set up in 1995 by the Random "
                    "Acts of Kindness Foundation, as a way to celebrate the small "
                    "things we do that can really make a difference."
                ),
                Paragraph(
                    "Whether it’s playing with someone at breaktime, or planting a "
                    "tree, there are so many things we can do to make the world a "
                    "kinder place!"
                ),
                Paragraph(
                    "52Lives School of Kindness are inviting children to take part in "
                    "our five-day Kindness Challenge to celebrate Random Acts of "
                    "Kindness Week. Each day, they will be tasked with doing a "
                    "specific kind activity and writing about how they felt when they "
                    "did it. Not only will they be helping other people, they will "
                    "also be helping themselves…because when we’re kind it improves "
                    "our own physical and mental health."
                ),
                Paragraph(
                    "The competition is open to children in the UK in Key Stage 1 and "
                    "2. Prizes include a £20 book token, a subscription to The Happy "
                    "Newspaper PLUS a Kindness Bench for their school. The deadline "
                    "for entries is 1st March 2025."
                ),
                Paragraph(
                    "Further information can be found at [Kindness Challenge - School "
                    "of Kindness](https://schoolofkindness.org/kindness-challenge)"
                ),
            ],
        ),
    ],
)

training = Section(
    "Training",
    articles=[
        Article(
            "DSCP course update",
            [
                Paragraph(
                    "There are 3 months remaining of the 2024/25 training programme. "
                    "There are spaces available on the following Teams/Zoom or face "
                    "to face training. Please book your space or find out more "
                    f"information by clicking [HERE]({TRAINING})"
                ),
                BulletList(
                    [
                        "Neglect Basics and Toolkit",
                        "Safeguarding Children from Sexual Abuse",
                        "Unconscious Bias and Cultural Competence in Safeguarding "
                        "Children",
                        "Gypsy, Roma Traveller Awareness",
                        "Neglect and Poverty",
                        "Understanding Gangs and Exploitation from Childs Perspective",
                        "Parental Substance Misuse",
                        "LGBTQIA+ Awareness",
                        "Safeguarding and Protecting Disabled Children",
                        "Safeguarding Children for Managers and Designated Leads",
                    ]
                ),
                Button("Book your space", TRAINING),
            ],
        ),
    ],
)

spotlight = Section(
    "Spotlight On",
    [
        Paragraph(
            "*Message from Durham and Darlington Police and Crime Commissioner (PCC) "
            "and Northumbria University:*"
        ),
    ],
    articles=[
        Article(
            "Durham and Darlington Youth Provision Mapping Survey",
            [
                Paragraph("Dear Partners,"),
                Paragraph(
                    "You are being invited to participate in this research study, "
                    "funded by Operation Trailblazer and Serious Violence funding, and "
                    "led by Dr Samantha Walker together with Professor Sarah Soppitt "
                    "and Dr Rebecca Oswald from the Department of Social Sciences at "
                    "Northumbria University."
                ),
                Paragraph(
                    "The purpose of this research is to map, and understand more "
                    "about, the services offered by statutory and third sector "
                    "organisations developed in response to anti-social behaviour "
                    "(ASB) and serious youth violence (SYV) in the Durham and "
                    "Darlington area."
                ),
                Paragraph("In particular, we’d like to:"),
                BulletList(
                    [
                        "Enhance our knowledge of agencies and organisations "
                        "operating in the wider Durham and Darlington area building "
                        "on previous mapping exercises",
                        "Understand what principles, approaches and methods they use",
                        "Understand the extent to which this provision coalesces to "
                        "the needs of young people and the wider community",
                        "Explore what, if any, gaps in service provision are evident "
                        "in the area",
                    ]
                ),
                Paragraph(
                    "The PCC and Northumbria University wish to speak to those who "
                    "work within agencies that support young people impacted by ASB "
                    "and/or SYV."
                ),
                Paragraph(
                    "We estimate that this survey will take you approximately 15 "
                    "minutes to complete. Your participation in this study is entirely "
                    "voluntary and you do not have to answer any questions you do not "
                    "want to. You may decide not to take part, or you may leave the "
                    "survey at any time before submitting your responses. You will not "
                    "be penalised in any way for withdrawing. If you leave the survey "
                    "before you click “submit,” any answers you have provided up to "
                    "this point will not be collected or used in the research. "
                    "However, once you press submit at the end of the survey, you will "
                    "no longer be able to withdraw your responses. This is because all "
                    "responses and data are anonymous and cannot be linked back to any "
                    "single unique respondent."
                ),
                Paragraph(
                    "[PUBLIC Durham and Darlington Youth Provision Mapping Survey]"
                    f"({SITE}/youth-provision-mapping-survey/)"
                ),
            ],
        ),
    ],
)

local_resources = Section(
    "Local Resources",
    articles=[
        Article(
            "Responsibility of professionals to share information when a Care Leaver "
            "Dies:",
            [
                Paragraph(
                    "From January 2024, local authorities should notify the Secretary "
                    "of State for Education and Ofsted of the death of a care leaver "
                    "aged up to their 25th birthday as per the revisions to Working "
                    "Together to Safeguard Children 2023."
                ),
                Paragraph(
                    "Notifications should be made on all deaths regardless of the "
                    "circumstances. Unlike other serious incident notifications, "
                    "abuse or neglect does not need to be present to meet the "
                    "criteria [Death of a Care "
                    f"Leaver]({SITE}/professionals/death-of-a-care-leaver/) for "
                    "notification."
                ),
                Paragraph(
                    "Durham Safeguarding Children Partnership (DSCP) will be "
                    "responsible for making the notifications in Durham. All deaths "
                    "should be reported to DSCP by email "
                    "[dscpsecure@durham.gov.uk](mailto:dscpsecure@durham.gov.uk) "
                    "providing relevant information. Depending on your role, you may "
                    "be asked to complete a short form to assist with the notification."
                ),
                Paragraph(
                    "The DSCP have developed a document to raise awareness across the "
                    "partnership of the requirement. The document can be found on our "
                    "guidance and toolkit page "
                    f"[here]({SITE}/professionals/guidance-and-toolkits/) called: "
                    "[Responsibility of professionals to share information when a Care "
                    f"Leaver Dies.pdf]({CARE_LEAVER_PDF})"
                ),
            ],
        ),
    ],
)

national = Section(
    "National Guidance and Useful Resources",
    articles=[
        Article(
            "Children’s Wellbeing Bill",
            [
                Paragraph(
                    "New legislation is making its way through parliament as the care "
                    "reforms move forward at pace - these will be the biggest reforms "
                    "in a generation."
                ),
                Paragraph("**Summary:**"),
                Paragraph(
                    "The Bill introduces a series of safety measures that are new, "
                    "with a focus on a joined-up system to stop vulnerable children "
                    "falling through cracks in services."
                ),
                Paragraph(
                    "**Single unique identifier number** – similar to how the NHS "
                    "number works for adult social care – to test how this can improve "
                    "information sharing to better protect children’s safety. A "
                    "consistent identifier will allow those responsible for the "
                    "safeguarding and welfare of children to better join relevant data "
                    "and identify children who will benefit from additional support."
                ),
                Paragraph(
                    "**Strengthening the role of education in safeguarding:** Teachers "
                    "and educators are often the first to spot warnings of abuse or "
                    "neglect, and last year, schools were the second largest referrer "
                    "of cases into children’s social care. But currently the law "
                    "doesn’t require all nurseries, schools or colleges to be included "
                    "in safeguarding arrangements. This means opportunities to protect "
                    "children can be missed. This change will see better join-up "
                    "between children’s social care, police, and health services with "
                    "education, to better safeguard and promote the welfare of all "
                    "children in local areas."
                ),
                Paragraph(
                    "**Supporting families to stay together:** Where safe and "
                    "appropriate, keeping children with their families is the aim."
                ),
                Paragraph(
                    "[Children’s Wellbeing and School Bill Policy Summary Notes December "
                    f"2024]({BILL_NOTES})"
                ),
                Paragraph("**Reports/articles/news items/blogs:**"),
            ],
        ),
    ],
)

edition = Edition(
    "DSCP Newsletter - January 2025",
    date(2025, 1, 15),
    preheader=(
        "Revised MASA arrangements, MAPPA changes for coercive control, February "
        "awareness days and training places still available."
    ),
    intro=[
        Paragraph("Dear {{ first_name | colleague }},"),
        Paragraph(
            "Welcome to the latest edition of the DSCP newsletter. We hope you find "
            "it useful and informative. Please contact us by email if you have any "
            f"comments or suggestions for future newsletters ({DSCP_EMAIL})"
        ),
        Image(
            "images/new-year.jpg",
            "Colourful fireworks bursting in a dark blue night sky",
            width=560,
            caption="Happy New Year from Durham Safeguarding Children Partnership",
        ),
    ],
    sections=[
        latest_news,
        priorities,
        whats_new,
        events,
        training,
        spotlight,
        local_resources,
        national,
    ],
    language="en-GB",
)
